// The county overview: one bar per room, today's real sign-ins with demo ones stacked apart in grey.
// Hand-made SVG: a few hundred rectangles, redrawn whole at most once per update.
import { format } from './strings.js';

const SVG = 'http://www.w3.org/2000/svg';
const HEIGHT = 200;
const LABELS_UP_TO = 40;
const LABEL_SPACE = 72;

function svg(tag, attributes) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

/** rooms: [{ deviceId, real, emulated }] in display order. */
export function drawChart(container, rooms, text) {
  const labelled = rooms.length <= LABELS_UP_TO;
  const barArea = HEIGHT - (labelled ? LABEL_SPACE : 4) - 16;
  // Drawn at the container's own pixel width: bars share it (up to a readable maximum), text keeps its size.
  const width = Math.max(200, container.clientWidth);
  const slot = Math.min(64, (width - 40) / Math.max(1, rooms.length));
  const top = Math.max(1, ...rooms.map((room) => room.real + room.emulated));
  const chart = svg('svg', { viewBox: `0 0 ${width} ${HEIGHT}`, role: 'img', preserveAspectRatio: 'xMinYMin meet' });
  chart.classList.add('bars');
  const scale = svg('text', { x: 2, y: 12, class: 'scale' });
  scale.textContent = String(top);
  chart.append(scale);
  rooms.forEach((room, index) => {
    const x = 40 + index * slot + slot * 0.15;
    const barWidth = slot * 0.7;
    const realHeight = (room.real / top) * barArea;
    const demoHeight = (room.emulated / top) * barArea;
    const base = 16 + barArea;
    const group = svg('g', {});
    const title = svg('title', {});
    title.textContent = format(room.emulated > 0 ? text.chartBarEmulated : text.chartBar, {
      room: room.deviceId,
      real: room.real,
      emulated: room.emulated,
    });
    group.append(title);
    group.append(svg('rect', { x, y: base - realHeight, width: barWidth, height: realHeight, class: 'real' }));
    if (room.emulated > 0)
      group.append(
        svg('rect', { x, y: base - realHeight - demoHeight, width: barWidth, height: demoHeight, class: 'demo' }),
      );
    if (labelled) {
      const label = svg('text', {
        x: x + barWidth / 2,
        y: base + 6,
        class: 'label',
        transform: `rotate(40 ${x + barWidth / 2} ${base + 6})`,
      });
      label.textContent = room.deviceId;
      group.append(label);
    }
    chart.append(group);
  });
  container.replaceChildren(chart);
}
