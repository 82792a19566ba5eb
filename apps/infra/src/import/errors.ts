/**
 * The compose file cannot be imported (compose refuses it too, or it names a file
 * that cannot be read): the message names the field and the fix. Any other error
 * out of the importer is a bug, and `infra` reports it as an internal error.
 */
export class ComposeImportError extends Error {}
