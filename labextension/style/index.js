import './base.css';
import './sidebar.css';
import './runs.css';
import './views.css';
import './tabs.css';
import './explorer.css';
import './cards.css';
import './compare.css';
