/** Turns an ItemModel into a VS Code TreeItem. */
import * as vscode from 'vscode';
import type { ItemModel } from './runPresentation';

export function toTreeItem(m: ItemModel, collapsible = vscode.TreeItemCollapsibleState.None): vscode.TreeItem {
  const item = new vscode.TreeItem(m.label, collapsible);
  item.id = m.id;
  item.description = m.description;
  item.iconPath = new vscode.ThemeIcon(m.icon.id, m.icon.color ? new vscode.ThemeColor(m.icon.color) : undefined);
  item.tooltip = new vscode.MarkdownString(m.tooltip);
  item.contextValue = m.contextValue;
  return item;
}
