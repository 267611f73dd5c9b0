// The one "Halo Identity" log channel. Every line passes through the redactor first.
import * as vscode from 'vscode';
import { OUTPUT_NAME } from './constants';
import { Redactor } from './redactor';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export class Logger implements vscode.Disposable {
  readonly redactor = new Redactor();
  /** Receives every line as written (redacted); the in-host tests read the log through it. */
  mirror: ((level: LogLevel, line: string) => void) | undefined;
  private readonly channel: vscode.LogOutputChannel;

  constructor() {
    this.channel = vscode.window.createOutputChannel(OUTPUT_NAME, { log: true });
  }

  trace(message: string): void {
    this.write('trace', message);
  }

  debug(message: string): void {
    this.write('debug', message);
  }

  info(message: string): void {
    this.write('info', message);
  }

  warn(message: string): void {
    this.write('warn', message);
  }

  error(message: string | Error): void {
    this.write('error', message instanceof Error ? (message.stack ?? message.message) : message);
  }

  private write(level: LogLevel, message: string): void {
    const line = this.redactor.apply(message);
    this.channel[level](line);
    this.mirror?.(level, line);
  }

  /** The engine's log callback, tagged with where it came from. */
  engine(tag: string): (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void {
    return (level, message) => this[level](`[${tag}] ${message}`);
  }

  /** Registers a secret value so that it is masked wherever it would appear. */
  secret(value: string | undefined | null): void {
    this.redactor.add(value);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
