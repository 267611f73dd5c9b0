// What the in-host tests may steer: answers to prompts and the workspace's trust. Exposed on the
// extension's exports only outside production mode; in normal use nothing here is ever set.

export type PromptKind = 'info' | 'warning' | 'error' | 'input' | 'pick' | 'openFile';

export interface PromptRecord {
  kind: PromptKind;
  message: string;
  modal: boolean;
  detail?: string;
  /** Buttons, or the labels of a quick pick. */
  items: string[];
}

/** The answer to a prompt: a button or pick label, input text, a file path; undefined dismisses. */
export type Responder = (prompt: PromptRecord) => string | undefined | Promise<string | undefined>;

export class TestHooks {
  /** Answers every prompt instead of a person; prompts are then not shown. */
  responder: Responder | undefined;
  /** Overrides `workspace.isTrusted`. */
  trusted: boolean | undefined;
  /** Every prompt raised since the last reset, in order. */
  readonly prompts: PromptRecord[] = [];
  /** The extension's log lines (redacted) since the last reset. */
  readonly log: string[] = [];

  reset(): void {
    this.responder = undefined;
    this.trusted = undefined;
    this.prompts.length = 0;
    this.log.length = 0;
  }
}

export const testHooks = new TestHooks();
