import { systemColor } from './data.js';
import { el } from './dom.js';

/** A system's id behind a swatch of its chart colour. */
export function systemLabel(data, system) {
  const swatch = el('span', { className: 'swatch', 'aria-hidden': 'true' });
  swatch.style.backgroundColor = systemColor(data, system);
  return el('span', { className: 'system' }, swatch, system.id);
}
