/**
 * The one module that knows the UI toolkit (@vscode/webview-ui-toolkit): it
 * registers the components the dashboard uses and makes its buttons, so a
 * move to another toolkit touches this file and the tag names.
 */
import {
  provideVSCodeDesignSystem, vsCodeButton, vsCodeCheckbox, vsCodeDataGrid, vsCodeDataGridCell, vsCodeDataGridRow,
  vsCodeDivider, vsCodePanels, vsCodePanelTab, vsCodePanelView, vsCodeProgressRing,
} from '@vscode/webview-ui-toolkit';
import { el } from './dom';

/** Defines the toolkit's custom elements; call once before building the page. */
export function registerToolkit(): void {
  provideVSCodeDesignSystem().register(
    vsCodeButton(), vsCodeCheckbox(), vsCodeDataGrid(), vsCodeDataGridCell(), vsCodeDataGridRow(),
    vsCodeDivider(), vsCodePanels(), vsCodePanelTab(), vsCodePanelView(), vsCodeProgressRing(),
  );
}

/** A secondary button. */
export function button(text: string, onClick: () => void, title = ''): HTMLElement {
  const b = el('vscode-button', { text, title });
  b.setAttribute('appearance', 'secondary');
  b.addEventListener('click', onClick);
  return b;
}
