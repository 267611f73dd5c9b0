// The words the reports, the review sheet and the report view share, with no code behind them
// (the webview and the extension's activation import this, not the planner).

export const NOT_GRANTED = 'not granted by the mapping';

export const DECISIONS = ['keep', 'revoke', 'fix in Entra'] as const;
export type Decision = (typeof DECISIONS)[number];
