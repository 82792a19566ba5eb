/**
 * The waivers of the image vulnerability gate (scripts/image-security.mjs, the `scan` targets):
 * the `osv` entries of the one waivers file. The file is parsed, whole, by the parser every other
 * gate uses (core/waivers.ts), so a file one gate refuses is refused by all, with the same words.
 * The script imports this module through tools/ts-module.mjs (importTs).
 */
import { ALL_RULE_IDS } from '../main';
import { IMAGE_SCAN_TOOL, isExpired, loadWaiverFile, today, WaiverFileError, type ToolWaiver } from '../core/waivers';

export { IMAGE_SCAN_TOOL, isExpired, today, WaiverFileError, type ToolWaiver };

/** `shown` names the file in messages; a missing file is an error only when `required` (given by --waivers). */
export function loadImageWaivers(file: string, shown: string, required: boolean): ToolWaiver[] {
  return loadWaiverFile(file, ALL_RULE_IDS, required, shown).tools.filter((w) => w.tool === IMAGE_SCAN_TOOL);
}
