// Long operations run in a cancellable notification whose cancel button aborts the engine.
import * as vscode from 'vscode';

export interface Reporter {
  message(text: string): void;
  /** Absolute progress: `done` of `total`, with a message. */
  fraction(done: number, total: number, text: string): void;
}

export function withCancellableProgress<T>(title: string, task: (signal: AbortSignal, report: Reporter) => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort());
    let reported = 0;
    const report: Reporter = {
      message: (text) => progress.report({ message: text }),
      fraction: (done, total, text) => {
        const percent = total > 0 ? Math.min(100, (done / total) * 100) : 0;
        progress.report({ message: total > 0 ? `${text} (${done} of ${total})` : text, increment: Math.max(0, percent - reported) });
        reported = Math.max(reported, percent);
      },
    };
    return task(controller.signal, report).finally(() => subscription.dispose());
  });
}
