import * as React from 'react';

/**
 * Chips on one line: those that do not fit whole are left out (never cut in half) and
 * counted in a "+N" chip whose tooltip names them. A chip longer than the line ellipsizes
 * (its own tooltip has the whole tag).
 */
export function FittedChips(props: {
  children: React.ReactNode;
  className?: string;
}): JSX.Element {
  const line = React.useRef<HTMLSpanElement>(null);
  const [hidden, setHidden] = React.useState<string[]>([]);

  React.useLayoutEffect(() => {
    const node = line.current;
    if (!node) {
      return;
    }
    // Chips that wrapped below the first row are out of sight.
    const measure = () => {
      const chips = Array.from(
        node.querySelectorAll<HTMLElement>(':scope > .jp-mfns-chip')
      );
      const top = chips[0]?.offsetTop ?? 0;
      const out = chips
        .filter(chip => chip.offsetTop > top + 1)
        .map(chip => chip.dataset.tag ?? '');
      setHidden(now =>
        now.length === out.length && now.every((t, i) => t === out[i])
          ? now
          : out
      );
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(node);
    return () => observer.disconnect();
  }, [props.children]);

  return (
    <span className={`jp-mfns-fitted ${props.className ?? ''}`}>
      <span className="jp-mfns-fitted-line" ref={line}>
        {props.children}
      </span>
      {hidden.length > 0 && (
        <span
          className="jp-mfns-chip jp-mfns-chip-more"
          title={`Also: ${hidden.join(', ')}`}
          aria-label={`${hidden.length} more: ${hidden.join(', ')}`}
        >
          +{hidden.length}
        </span>
      )}
    </span>
  );
}
