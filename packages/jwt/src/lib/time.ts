import { JwtError } from '../errors.js';

const UNITS: Record<string, number> = {
  s: 1,
  sec: 1,
  secs: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hrs: 3600,
  hour: 3600,
  hours: 3600,
  d: 86400,
  day: 86400,
  days: 86400,
  w: 604800,
  week: 604800,
  weeks: 604800,
  y: 31557600,
  year: 31557600,
  years: 31557600,
};

/**
 * A duration in whole seconds: a number of seconds, or text such as "90s", "15m", "7d", "2 hours".
 * Throws ERR_OPTION_INVALID with the option's name when the value is not a duration.
 */
export function toSeconds(value: number | string, option: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return Math.floor(value);
  } else if (typeof value === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)?\s*$/i.exec(value);
    const unit = match ? UNITS[(match[2] ?? 's').toLowerCase()] : undefined;
    if (match && unit !== undefined) return Math.floor(Number(match[1]) * unit);
  }
  throw new JwtError('ERR_OPTION_INVALID', `${option} must be seconds or a duration such as "15m"`);
}

/** Seconds since the epoch for a Date (RFC 7519 NumericDate). */
export function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
