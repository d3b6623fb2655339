/**
 * A webhook key in a page's code is readable by anyone who opens the page: it signs every call as its user, with
 * every scope it was given. Creating a webhook in a browser therefore warns once per page, unless the caller opts
 * in (`allowInBrowser: true`: an intranet tool, a page only its author opens).
 */

/** A browser page or a web worker: code there ships to, and is readable by, whoever runs it. */
export function isBrowserRuntime(): boolean {
  const scope = globalThis as { document?: unknown; WorkerGlobalScope?: unknown }
  return typeof scope.document === 'object' || typeof scope.WorkerGlobalScope === 'function'
}

export const WEBHOOK_IN_BROWSER_WARNING =
  'b24tssdk: a webhook is used in a browser; its key is readable by anyone who can open this page and signs calls ' +
  'as its user. Use an application (OAuth, or the frame credentials of b24tssdk/frame) for pages other people ' +
  'open, or pass allowInBrowser: true to BitrixWebhook to silence this warning.'

let warned = false

/** Warns once per page (never with the key in it); nothing outside a browser or when the caller opted in. */
export function warnIfWebhookInBrowser(allowInBrowser: boolean | undefined): void {
  if (warned || allowInBrowser === true || !isBrowserRuntime()) return
  warned = true
  globalThis.console?.warn?.(WEBHOOK_IN_BROWSER_WARNING)
}
