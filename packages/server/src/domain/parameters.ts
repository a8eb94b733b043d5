/** The request parameters of an OAuth endpoint, after the checks of RFC 6749 §3.1 and §3.2. */
export type Parameters = Readonly<Record<string, string>>;
