"""What a RUN answer adds from the datastore: its parameters and, for a failed run, its failure."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from ..model import FailureJSON


@dataclass
class RunExtras:
    parameters: Dict[str, Any] = field(default_factory=dict)  # decoded, as JSON
    opaque: List[str] = field(default_factory=list)
    types: Dict[str, str] = field(default_factory=dict)
    failure: Optional[FailureJSON] = None

    @classmethod
    def from_answer(cls, answer: Optional[str]) -> RunExtras:
        """From the parameters' answer JSON the index keeps (`RunParameters.to_json`)."""
        if not answer:
            return cls()
        data = json.loads(answer)
        return cls(data.get("values", {}), data.get("opaque", []), data.get("types", {}))
