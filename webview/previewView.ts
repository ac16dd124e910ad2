/** The Augmentations tab: the augmented views of the data as one image, with its caption or why there is none. */
import type { HostMessage } from '../src/protocol/dashboard';
import { el } from './dom';
import { progressRing } from './toolkit';

export class PreviewView {
  private readonly image = document.createElement('img');
  private readonly caption = el('p', { className: 'hint', text: 'Run "SupCon: Preview Augmented Views" to see what the augmentation does to the data.' });
  private readonly ring = progressRing();

  constructor(parent: HTMLElement) {
    this.image.alt = 'Augmented views';
    this.ring.hidden = true;
    parent.append(el('div', { className: 'preview' }, this.caption, this.ring, this.image));
  }

  show(msg: Extract<HostMessage, { type: 'preview' }>): void {
    this.ring.hidden = msg.status !== 'loading';
    this.caption.textContent = msg.caption;
    this.caption.className = msg.status === 'failed' ? 'error' : 'hint';
    this.image.hidden = !msg.image;
    if (msg.image) this.image.src = msg.image;
  }
}
