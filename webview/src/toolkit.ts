// The only module that knows which web-component library draws our controls, and how its elements
// are named, configured and listened to. @vscode/webview-ui-toolkit is archived upstream; a swap to
// @vscode-elements/elements (vscode-textfield, vscode-single-select, `secondary` buttons…) changes
// this file and nothing else.
import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeDropdown,
  vsCodeOption,
  vsCodeProgressRing,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';

let registered = false;

/** Defines the custom elements we use (and only those); idempotent. */
export function registerToolkit(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeDropdown(), vsCodeOption(), vsCodeProgressRing(), vsCodeTextField());
}

interface ValueElement extends HTMLElement {
  value: string;
  disabled: boolean;
}

export interface Button {
  el: HTMLElement;
  setLabel(text: string): void;
  setDisabled(disabled: boolean): void;
}

export function button(label: string, opts: { id: string; secondary?: boolean; title?: string; onClick: () => void }): Button {
  const el = document.createElement('vscode-button') as ValueElement;
  el.id = opts.id;
  if (opts.secondary) el.setAttribute('appearance', 'secondary');
  if (opts.title) el.title = opts.title;
  el.textContent = label;
  el.addEventListener('click', () => {
    if (!el.disabled) opts.onClick();
  });
  return {
    el,
    setLabel: (text) => {
      if (el.textContent !== text) el.textContent = text;
    },
    setDisabled: (disabled) => {
      el.disabled = disabled;
      el.toggleAttribute('disabled', disabled);
    },
  };
}

export interface TextField {
  el: HTMLElement;
  value: string;
  focus(): void;
}

export function textField(opts: { id: string; placeholder: string; ariaLabel: string; value: string; onInput: (value: string) => void }): TextField {
  const el = document.createElement('vscode-text-field') as ValueElement;
  el.id = opts.id;
  el.setAttribute('placeholder', opts.placeholder);
  el.setAttribute('aria-label', opts.ariaLabel);
  el.setAttribute('type', 'search');
  el.setAttribute('value', opts.value);
  el.value = opts.value;
  el.addEventListener('input', () => opts.onInput(el.value ?? ''));
  return {
    el,
    get value() {
      return el.value ?? '';
    },
    set value(v: string) {
      el.value = v;
    },
    focus: () => el.focus(),
  };
}

export interface Dropdown<T extends string> {
  el: HTMLElement;
  value: T;
}

export function dropdown<T extends string>(opts: { id: string; ariaLabel: string; options: { value: T; label: string }[]; value: T; onChange: (value: T) => void }): Dropdown<T> {
  const el = document.createElement('vscode-dropdown') as ValueElement;
  el.id = opts.id;
  el.setAttribute('aria-label', opts.ariaLabel);
  for (const o of opts.options) {
    const opt = document.createElement('vscode-option');
    opt.setAttribute('value', o.value);
    if (o.value === opts.value) opt.setAttribute('selected', '');
    opt.textContent = o.label;
    el.appendChild(opt);
  }
  const valid = new Set<string>(opts.options.map((o) => o.value));
  el.addEventListener('change', () => {
    if (valid.has(el.value)) opts.onChange(el.value as T);
  });
  return {
    el,
    get value() {
      return el.value as T;
    },
    set value(v: T) {
      el.value = v;
    },
  };
}

export interface Badge {
  el: HTMLElement;
  setText(text: string): void;
}

/**
 * A count badge. Not the toolkit's vscode-badge: its template carries a `style="${…}"` attribute,
 * and parsing that template is a style-src-attr violation under our CSP (no 'unsafe-inline').
 */
export function badge(text: string): Badge {
  const el = document.createElement('span');
  el.className = 'badge';
  el.textContent = text;
  return {
    el,
    setText: (t) => {
      if (el.textContent !== t) el.textContent = t;
    },
  };
}

export function progressRing(label: string): HTMLElement {
  const el = document.createElement('vscode-progress-ring');
  el.setAttribute('aria-label', label);
  return el;
}
