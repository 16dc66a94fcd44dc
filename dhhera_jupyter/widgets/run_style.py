"""The run panel's stylesheet, sent once in an HTML widget: rows and badges then carry class names only, so a
changed row costs a few hundred bytes. Colours are the ``--jp-*`` variables the DagWidget uses, so themes work."""

from __future__ import annotations

#: Colour of each node state (same variables as the DagWidget's node strokes).
STATE_COLOURS = {
    "pending": "var(--jp-layout-color3)",
    "running": "var(--jp-brand-color1)",
    "succeeded": "var(--jp-success-color1)",
    "failed": "var(--jp-error-color1)",
    "error": "var(--jp-error-color1)",
    "stopped": "var(--jp-warn-color1)",
    "skipped": "var(--jp-border-color2)",
    "omitted": "var(--jp-border-color2)",
}

_STATES = "\n".join(f".dhhera-RunPanel-dot.dhhera-state-{s} {{ background: {c}; }}" for s, c in STATE_COLOURS.items())

STYLE = f"""<style>
.dhhera-RunPanel {{ font-family: var(--jp-ui-font-family); }}
.dhhera-RunPanel-row {{ display: grid; align-items: center; gap: 0 0.75em;
  grid-template-columns: 9em 5em 7.5em 5.5em 5.5em minmax(10em, 1fr) 10em; }}
.dhhera-RunPanel-row > div {{ overflow-wrap: anywhere; }}
.dhhera-RunPanel-dot {{ display: inline-block; width: 0.7em; height: 0.7em; border-radius: 50%;
  margin-right: 0.3em; vertical-align: baseline; }}
.dhhera-RunPanel-dot.dhhera-state-running {{ animation: dhhera-RunPanel-pulse 1.2s ease-in-out infinite; }}
@keyframes dhhera-RunPanel-pulse {{ 50% {{ opacity: 0.35; }} }}
@media (prefers-reduced-motion: reduce) {{ .dhhera-RunPanel-dot {{ animation: none !important; }} }}
.dhhera-RunPanel-legend span {{ margin-right: 1em; white-space: nowrap; font-size: var(--jp-ui-font-size0); }}
.dhhera-RunPanel-box {{ padding: 0.4em 0.8em; margin: 0.2em 0; }}
.dhhera-RunPanel-box.dhhera-error {{ border-left: 4px solid var(--jp-error-color1);
  background: var(--jp-error-color3); }}
.dhhera-RunPanel-box.dhhera-warn {{ border-left: 4px solid var(--jp-warn-color1);
  background: var(--jp-warn-color3); }}
{_STATES}
</style>"""
