import { el } from './dom.js';

/**
 * A button that saves `make()`'s text as `name` (a CSV built when clicked, so a 10,000-query report spends
 * nothing on it until asked). The file is a Blob handed to the browser's download: nothing is fetched.
 */
export function downloadButton(label, name, make) {
  return el(
    'button',
    {
      type: 'button',
      className: 'download',
      on: {
        click: () => {
          const url = URL.createObjectURL(new Blob([make()], { type: 'text/csv;charset=utf-8' }));
          const link = el('a', { href: url, download: name });
          document.body.append(link);
          link.click();
          link.remove();
          setTimeout(() => URL.revokeObjectURL(url), 30_000);
        },
      },
    },
    label,
  );
}
