/**
 * bench/results.png: grouped bars of makespan / L, concurrent (the node as users get it) beside the
 * sequential baseline, per gateway and item count, on a log scale; a red dash marks the N=100 target.
 */
import { Canvas } from './canvas';
import type { Rgb } from './canvas';

export interface ChartCase {
	gatewayLabel: string;
	items: number;
	latencyMs: number;
	makespanMs: number;
	baselineMakespanMs: number | null;
	baselineExtrapolated: boolean;
	/** The makespan target in ms, where one applies (N=100). */
	targetMs?: number;
	failed?: boolean;
}

const BLUE: Rgb = [47, 111, 223];
const ORANGE: Rgb = [232, 131, 58];
const PALE_ORANGE: Rgb = [250, 222, 200];
const RED: Rgb = [210, 40, 40];
const GREY: Rgb = [200, 200, 200];
const DARK: Rgb = [40, 40, 40];
const MID: Rgb = [110, 110, 110];

const WIDTH = 960;
const HEIGHT = 520;
const PLOT = { left: 70, right: 940, top: 60, bottom: 400 };

function label(value: number): string {
	if (value < 10) return value.toFixed(2);
	if (value < 100) return value.toFixed(1);
	return value.toFixed(0);
}

export function renderChart(cases: ChartCase[], title: string): Buffer {
	const canvas = new Canvas(WIDTH, HEIGHT);
	const ratios = cases.flatMap((c) => [c.makespanMs / c.latencyMs, (c.baselineMakespanMs ?? 0) / c.latencyMs]);
	const ticks = [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000];
	const yMax = ticks.find((t) => t >= Math.max(...ratios) * 1.4) ?? 5000;
	const yMin = 0.5;
	const y = (ratio: number) =>
		PLOT.bottom - ((Math.log10(Math.max(ratio, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) *
			(PLOT.bottom - PLOT.top);

	canvas.text(WIDTH / 2, 14, title, DARK, 2, 'center');
	canvas.text(WIDTH / 2, 38, 'MAKESPAN / L, LOG SCALE. LOWER IS BETTER.', MID, 1, 'center');

	for (const tick of ticks.filter((t) => t <= yMax)) {
		canvas.hLine(PLOT.left, PLOT.right, Math.round(y(tick)), GREY, tick === 1 ? 0 : 3);
		canvas.text(PLOT.left - 8, Math.round(y(tick)) - 3, String(tick), MID, 1, 'right');
	}
	canvas.vLine(PLOT.left, PLOT.top, PLOT.bottom, DARK);
	canvas.hLine(PLOT.left, PLOT.right, PLOT.bottom, DARK);
	canvas.text(14, PLOT.top - 16, 'X L', DARK, 1);

	const groupWidth = (PLOT.right - PLOT.left) / cases.length;
	const barWidth = Math.floor(groupWidth * 0.32);
	let previousGateway: string | undefined;
	cases.forEach((c, index) => {
		const left = PLOT.left + index * groupWidth;
		if (c.gatewayLabel !== previousGateway) {
			if (index > 0) canvas.vLine(Math.round(left), PLOT.top, PLOT.bottom + 44, MID);
			const span = cases.filter((other) => other.gatewayLabel === c.gatewayLabel).length * groupWidth;
			canvas.text(left + span / 2, PLOT.bottom + 30, c.gatewayLabel, DARK, 2, 'center');
			previousGateway = c.gatewayLabel;
		}
		canvas.text(left + groupWidth / 2, PLOT.bottom + 10, `N=${c.items}`, DARK, 1, 'center');

		const bars: Array<{ ratio: number | null; draw: (x: number, top: number, h: number) => void; failed?: boolean }> = [
			{
				ratio: c.makespanMs / c.latencyMs,
				failed: c.failed,
				draw: (x, top, h) => canvas.fillRect(x, top, barWidth, h, BLUE),
			},
			{
				ratio: c.baselineMakespanMs === null ? null : c.baselineMakespanMs / c.latencyMs,
				draw: (x, top, h) => {
					if (c.baselineExtrapolated) {
						canvas.hatchRect(x, top, barWidth, h, ORANGE, PALE_ORANGE);
						canvas.strokeRect(x, top, barWidth, h, ORANGE);
					} else canvas.fillRect(x, top, barWidth, h, ORANGE);
				},
			},
		];
		const pairWidth = barWidth * 2 + 4;
		bars.forEach((bar, b) => {
			if (bar.ratio === null) return;
			const x = Math.round(left + (groupWidth - pairWidth) / 2 + b * (barWidth + 4));
			const top = Math.round(y(bar.ratio));
			bar.draw(x, top, PLOT.bottom - top);
			canvas.text(x + barWidth / 2, top - 10, bar.failed ? 'ERR' : label(bar.ratio), bar.failed ? RED : DARK, 1, 'center');
		});
		if (c.targetMs !== undefined) {
			const ty = Math.round(y(c.targetMs / c.latencyMs));
			const x0 = left + (groupWidth - pairWidth) / 2 - 6;
			for (const dy of [0, 1]) canvas.hLine(x0, x0 + barWidth + 12, ty + dy, RED, 4);
		}
	});

	// Legend.
	const legendY = PLOT.bottom + 66;
	let x = PLOT.left;
	const entry = (swatch: (x: number) => void, text: string) => {
		swatch(x);
		canvas.text(x + 20, legendY + 2, text, DARK, 1);
		x += 20 + Canvas.textWidth(text) + 28;
	};
	entry((sx) => canvas.fillRect(sx, legendY, 14, 11, BLUE), 'CONCURRENT: DEFAULT OPTIONS');
	entry((sx) => canvas.fillRect(sx, legendY, 14, 11, ORANGE), 'BASELINE: SAME NODE, MAXCONCURRENTTASKS 1');
	entry((sx) => {
		canvas.hatchRect(sx, legendY, 14, 11, ORANGE, PALE_ORANGE);
		canvas.strokeRect(sx, legendY, 14, 11, ORANGE);
	}, 'BASELINE EXTRAPOLATED FROM N=10');
	entry((sx) => {
		for (const dy of [5, 6]) canvas.hLine(sx, sx + 14, legendY + dy, RED, 4);
	}, 'TARGET AT N=100');
	return canvas.png();
}
