/**
 * bench/results.svg, drawn by Apache ECharts (server-side SVG rendering, no DOM, no browser):
 * left, makespan / L of the node beside the sequential baseline per gateway and item count (log
 * scale, the N = 100 target as a red dash); right, at L = 60 s ± 30 %, per progress profile, the
 * p95 detection lag and the polls per task beside their targets.
 */
import * as echarts from 'echarts';

export interface MakespanBar {
	label: string;
	makespanOverL: number;
	baselineOverL: number;
	baselineExtrapolated: boolean;
	/** The makespan target / L, where one applies. */
	targetOverL?: number;
}

export interface ProfileBar {
	profile: string;
	lagP95Seconds: number;
	pollsPerTask: number;
	lagTargetSeconds: number;
	pollsTarget: number;
}

const BLUE = '#2f6fdf';
const ORANGE = '#e8833a';
const GREEN = '#3a9a5b';
const RED = '#d22828';
/** A dash for target markers. */
const DASH = 'path://M0 0H10V1H0Z';

export function renderChart(makespan: MakespanBar[], profiles: ProfileBar[], title: string): string {
	const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 1200, height: 560 });
	const label = { show: true, position: 'top' as const, fontSize: 10, formatter: (p: { value: unknown }) => format(Number(p.value)) };
	chart.setOption({
		animation: false,
		backgroundColor: '#fff',
		title: [
			{ text: title, left: 'center', top: 8, textStyle: { fontSize: 16 } },
			{ text: 'makespan / L (log scale; lower is better)', left: '4%', top: 36, textStyle: { fontSize: 12, fontWeight: 'normal' } },
			{ text: 'L = 60 s ± 30 %, N = 10 and 100, all gateways', left: '60%', top: 36, textStyle: { fontSize: 12, fontWeight: 'normal' } },
		],
		legend: { bottom: 8, itemGap: 28 },
		grid: [
			{ left: '5%', width: '47%', top: 96, bottom: 110 },
			{ left: '60%', width: '34%', top: 96, bottom: 110 },
		],
		xAxis: [
			{ gridIndex: 0, type: 'category', data: makespan.map((m) => m.label), axisLabel: { interval: 0, rotate: 40, fontSize: 10 } },
			{ gridIndex: 1, type: 'category', data: profiles.map((p) => p.profile) },
		],
		yAxis: [
			{ gridIndex: 0, type: 'log', min: 0.5, name: '× L' },
			{ gridIndex: 1, type: 'value', name: 'lag p95 (s)', min: 0 },
			{ gridIndex: 1, type: 'value', name: 'polls / task', min: 0, position: 'right', splitLine: { show: false } },
		],
		series: [
			{ name: 'concurrent (default options)', type: 'bar', xAxisIndex: 0, yAxisIndex: 0, color: BLUE, label, data: makespan.map((m) => round(m.makespanOverL)) },
			{
				name: 'sequential baseline (Max Concurrent Tasks 1; hatched: extrapolated)',
				type: 'bar',
				xAxisIndex: 0,
				yAxisIndex: 0,
				color: ORANGE,
				label,
				data: makespan.map((m) => ({
					value: round(m.baselineOverL),
					itemStyle: m.baselineExtrapolated ? { decal: { symbol: 'rect', dashArrayX: [1, 0], dashArrayY: [2, 4], rotation: -0.8, color: '#fff8' } } : undefined,
				})),
			},
			{
				name: 'target',
				type: 'scatter',
				xAxisIndex: 0,
				yAxisIndex: 0,
				color: RED,
				symbol: DASH,
				symbolSize: [34, 3],
				data: makespan.map((m) => (m.targetOverL === undefined ? null : round(m.targetOverL))),
			},
			{ name: 'detection lag p95 (s)', type: 'bar', xAxisIndex: 1, yAxisIndex: 1, color: BLUE, label, data: profiles.map((p) => round(p.lagP95Seconds)) },
			{ name: 'polls per task', type: 'bar', xAxisIndex: 1, yAxisIndex: 2, color: GREEN, label, data: profiles.map((p) => round(p.pollsPerTask)) },
			{ name: 'target', type: 'scatter', xAxisIndex: 1, yAxisIndex: 1, color: RED, symbol: DASH, symbolSize: [34, 3], symbolOffset: [-18, 0], data: profiles.map((p) => p.lagTargetSeconds) },
			{ name: 'target', type: 'scatter', xAxisIndex: 1, yAxisIndex: 2, color: RED, symbol: DASH, symbolSize: [34, 3], symbolOffset: [18, 0], data: profiles.map((p) => p.pollsTarget) },
		],
	});
	const svg = chart.renderToSVGString();
	chart.dispose();
	return svg;
}

function round(value: number): number {
	return value < 10 ? Math.round(value * 100) / 100 : value < 100 ? Math.round(value * 10) / 10 : Math.round(value);
}

function format(value: number): string {
	return String(round(value));
}
