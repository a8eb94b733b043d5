/**
 * `npm run bench:summary`: rewrites the summary of bench/RESULTS.md and bench/results.svg from the
 * sections already in the file, measuring nothing. Used after merging two branches that each
 * wrote a section (take both sections, then run this).
 */
import { refreshSummary } from './lib/results-file.js';

refreshSummary();
