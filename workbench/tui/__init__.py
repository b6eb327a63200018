"""The annotation UI (Textual). Import `workbench.tui.app` only when the UI is started."""
