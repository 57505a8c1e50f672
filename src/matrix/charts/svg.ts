/** Small helpers for the SVG the HTML report draws inline. */

/** Text and attribute values in SVG/HTML. */
export const esc = (s: string): string => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** Rough width of text in the report's sans-serif at `size` px: enough to lay labels out without measuring. */
export const textWidth = (text: string, size: number): number => Math.ceil(text.length * size * 0.6);

/** Coordinates with at most one decimal, so the markup stays short and stable. */
export const n = (v: number): string => String(Math.round(v * 10) / 10);

/**
 * Categorical colours for behaviours and timeline series: ten strong hues, then their light
 * tints (the Tableau 20 scheme). Past twenty they repeat, and each square's tooltip names it.
 */
export const CATEGORY_COLOURS = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
  '#a0cbe8',
  '#ffbe7d',
  '#ff9d9a',
  '#86bcb6',
  '#8cd17d',
  '#f1ce63',
  '#d4a6c8',
  '#fabfd2',
  '#d7b5a6',
  '#79706e',
] as const;

/** A sequential blue scale, light (low) to dark (high), for memory heat maps. */
export const SCALE_COLOURS = ['#f7fbff', '#deebf7', '#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b'] as const;
