/** Small DOM helper: elements built in code, never from HTML strings. */

interface Props {
  className?: string;
  text?: string;
  title?: string;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props, ...children: (Node | string)[]): HTMLElementTagNameMap[K];
export function el(tag: string, props?: Props, ...children: (Node | string)[]): HTMLElement;
export function el(tag: string, props: Props = {}, ...children: (Node | string)[]): HTMLElement {
  const e = document.createElement(tag);
  if (props.className) e.className = props.className;
  if (props.text !== undefined) e.textContent = props.text;
  if (props.title) e.title = props.title;
  e.append(...children);
  return e;
}
