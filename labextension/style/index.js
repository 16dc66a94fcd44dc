import './states.css';
import './run-panel.css';
import './log.css';
import './sidebar.css';
import './debug.css';
import './preview.css';
