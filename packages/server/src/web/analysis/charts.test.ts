import { describe, expect, it } from 'vitest';
import { barChart, escapeXml, lineChart } from './charts.js';

describe('lineChart', () => {
  const svg = lineChart(
    {
      id: 'weekly',
      title: 'Attendance by week <this year>',
      description: 'This year against last year',
      labels: ['w/c 1 Sep', 'w/c 8 Sep', 'w/c 15 Sep'],
    },
    [
      { name: '2025/26', values: [0.95, null, 0.9] },
      { name: '2024/25', values: [0.94, 0.93, 0.92], dashed: true },
    ],
  );

  it('is an accessible image with a title and a description', () => {
    expect(svg).toMatch(/^<svg [^>]*role="img" aria-labelledby="weekly-title weekly-desc"/);
    expect(svg).toContain('<title id="weekly-title">Attendance by week &lt;this year&gt;</title>');
    expect(svg).toContain('<desc id="weekly-desc">This year against last year</desc>');
    expect(svg.endsWith('</svg>')).toBe(true);
  });

  it('draws a line per series with a gap for a missing value and each point titled', () => {
    expect(svg.match(/<path /g)).toHaveLength(2);
    const first = /<path d="([^"]+)"/.exec(svg)![1]!;
    expect(first.match(/M/g)).toHaveLength(2);
    expect(svg).toContain('stroke-dasharray="6 4"');
    expect(svg).toContain('<title>2025/26, w/c 1 Sep: 95.0%</title>');
    expect(svg).toContain('>2024/25</text>');
  });
});

describe('barChart', () => {
  it('draws a bar per value from zero', () => {
    const svg = barChart(
      { id: 'days', title: 'Absence', description: 'By day', labels: ['Mon AM', 'Mon PM'], format: 'count' },
      [3, 0],
    );
    expect(svg.match(/<rect /g)).toHaveLength(2);
    expect(svg).toContain('<title>Mon AM: 3</title>');
    expect(svg).toContain('height="0.0"');
  });

  it('draws nothing for no data without failing', () => {
    expect(barChart({ id: 'x', title: 't', description: 'd', labels: [] }, [])).toContain('</svg>');
  });
});

it('escapes text', () => {
  expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});

it('zooms a line chart to the data, starting and ending its axis on a labelled tick', () => {
  const svg = lineChart({ id: 'z', title: 't', description: 'd', labels: ['a', 'b'] }, [
    { name: 's', values: [0.955, 0.96] },
  ]);
  expect(svg).toContain('>93.0%</text>');
  expect(svg).toContain('>98.0%</text>');
  expect(svg).not.toContain('>92.0%</text>');
  expect(svg).not.toContain('>100.0%</text>');
});
