import { readFileSync } from 'node:fs';
import { DockerfileParser, Instruction } from 'dockerfile-ast';
import type { Rule, Violation } from '../core/types';

export interface Stage {
  readonly index: number;
  /** `AS name`, lower-cased as Docker compares it; null when unnamed. */
  readonly name: string | null;
  /** Image reference with ARG defaults substituted; null when an ARG has no default. */
  readonly base: string | null;
  readonly rawBase: string;
  readonly line: number;
  readonly instructions: Instruction[];
}

export interface ParsedDockerfile {
  readonly file: string;
  /** ARGs before the first FROM, name -> default ('' when none is given). */
  readonly globalArgs: ReadonlyMap<string, string | undefined>;
  readonly stages: Stage[];
  /** Instructions before the first FROM (ARGs, parser directives). */
  readonly preamble: Instruction[];
}

export type DockerfileRule = Rule<ParsedDockerfile>;

export const lineOf = (i: Instruction): number => i.getRange().start.line + 1;

/** `${A}`, `$A`, `${A:-x}`, `${A:+x}`: the forms Docker allows in FROM. */
export function substitute(text: string, vars: ReadonlyMap<string, string | undefined>): string | null {
  let unresolved = false;
  const out = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, braced, op, word, bare) => {
    const value = vars.get(braced ?? bare);
    const set = value !== undefined && value !== '';
    if (op === '-') return set ? value! : word;
    if (op === '+') return set ? word : '';
    if (!set) unresolved = true;
    return value ?? '';
  });
  return unresolved ? null : out;
}

export function parseDockerfile(text: string, file: string): ParsedDockerfile {
  const ast = DockerfileParser.parse(text);
  const globalArgs = new Map<string, string | undefined>();
  const preamble: Instruction[] = [];
  const stages: Stage[] = [];
  for (const instr of ast.getInstructions()) {
    const keyword = instr.getKeyword();
    if (keyword === 'FROM') {
      const rawBase = (instr as any).getImage?.() ?? instr.getArgumentsContent() ?? '';
      const name = (instr as any).getBuildStage?.() ?? null;
      stages.push({
        index: stages.length, name: name ? name.toLowerCase() : null, rawBase, base: substitute(rawBase, globalArgs),
        line: lineOf(instr), instructions: [],
      });
    } else if (stages.length === 0) {
      preamble.push(instr);
      if (keyword === 'ARG') {
        const prop = (instr as any).getProperty?.();
        if (prop) globalArgs.set(prop.getName(), prop.getValue() ?? undefined);
      }
    } else {
      stages[stages.length - 1].instructions.push(instr);
    }
  }
  return { file, globalArgs, stages, preamble };
}

export function readDockerfile(file: string): ParsedDockerfile {
  return parseDockerfile(readFileSync(file, 'utf8'), file);
}

/** The earlier stage a FROM names, if it names one (FROM builder). */
export function parentStage(df: ParsedDockerfile, stage: Stage): Stage | undefined {
  const ref = stage.base?.toLowerCase();
  return df.stages.slice(0, stage.index).find((s) => s.name !== null && s.name === ref);
}

/** Final stage first, then the stages it is built FROM: image config (USER, HEALTHCHECK) is inherited along it. */
export function finalChain(df: ParsedDockerfile): Stage[] {
  const chain: Stage[] = [];
  let stage: Stage | undefined = df.stages[df.stages.length - 1];
  while (stage) {
    chain.push(stage);
    stage = parentStage(df, stage);
  }
  return chain;
}

export function dfViolation(rule: string, df: ParsedDockerfile, line: number, problem: string): Violation {
  return { rule, object: df.file, message: `${df.file}:${line}: ${problem}` };
}
