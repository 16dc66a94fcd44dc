import './states.css';
import './sidebar.css';
