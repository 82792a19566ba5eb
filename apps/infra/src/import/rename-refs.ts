import { renameHosts } from './reach';

/**
 * A renamed service (names.ts: `web_1` imported as `web-1-2`, `my_db` as `my-db`) is reached by its
 * new name on both targets: the generated compose file and Kubernetes both name it so, and the old
 * name resolves to nothing. So every place a value or a command uses the old name as a host is
 * rewritten, with a line at that compose path naming both names (compose-import.ts):
 *
 * - a URL's host, `name:port`, and a whole value (reach.ts `renameHosts`);
 * - inside a longer text, only where the text uses the name as a host: after a host flag
 *   (`--host web_1`, `-h web_1`, `--server=web_1`, `DB_HOST=web_1`), before a port number
 *   (`nc -z web_1 80`), or as one host of a comma list (`HOSTS=web_1,db`, `web_1:80,db:80`);
 * - a command word that is the name (`["wait-for-it", "web_1"]`), except the first word: the program.
 *
 * Not rewritten, because there the name is something else called like the service: a word after a
 * flag or key that names a database, user, schema... (`-d my_db`, `--dbname=my_db`,
 * `POSTGRES_DB=my_db`, reach.ts NOT_A_HOST), a path segment (`/data/web_1/`, `postgres://h/my_db`),
 * and any other mention in prose (`echo "starting web_1"`, `the web_1 cache`): a text that names the
 * service without using it as a host keeps its words, and gets no line.
 */

/** Keys whose value is a name other than a host (as reach.ts reads env keys), and the short flags that name one. */
const NOT_A_HOST = /(DB|DATABASE|DBNAME)$|(^|_)(NAME|USER|USERNAME|SCHEMA|BUCKET|QUEUE|TOPIC|INDEX|PREFIX|PROJECT|REALM|TABLE|VHOST|KEYSPACE|COLLECTION)$/i;
const NAME_FLAGS = new Set(['-d', '-U', '-u', '-n', '-N']);
/** Flags and keys whose value is a host. */
const HOST_FLAGS = new Set(['-h', '-H', '--host', '--hostname', '--server']);
const HOST_KEY = /(^|_)(HOST|HOSTNAME|HOSTS|SERVER|SERVERS|ADDR|ADDRESS)$/i;

/** Whether `flag` (a previous word, or the text before `=`) says the word after it is a host. */
function namesHost(flag: string | undefined): boolean {
  if (flag === undefined) return false;
  if (HOST_FLAGS.has(flag)) return true;
  return !flag.startsWith('-') && HOST_KEY.test(flag);
}

/** One host, with its port if any, as a comma list holds them. */
const HOST_ITEM = '[A-Za-z0-9_.-]+(?::\\d{1,5})?';
const HOST_LIST = new RegExp(`^${HOST_ITEM}(?:,${HOST_ITEM})+$`);

/** Whether a word after `flag` (a previous word, or the text before `=`) names something other than a host. */
function namesOther(flag: string | undefined): boolean {
  if (flag === undefined) return false;
  if (NAME_FLAGS.has(flag)) return true;
  const key = flag.replace(/^-+/, '').replace(/-/g, '_');
  return key !== '' && NOT_A_HOST.test(key);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The text with every renamed service used as a host by its new name. `key` is the env key (a whole
 * value under a key such as POSTGRES_DB is not a host); `prev` is the command word before this one.
 */
export function renameReferences(key: string | undefined, text: string, renamed: ReadonlyMap<string, string>, prev?: string): { value: string; rewritten: string[] } {
  if (!renamed.size) return { value: text, rewritten: [] };
  const whole = renamed.has(text.trim());
  if (whole && (namesOther(key) || namesOther(prev))) return { value: text, rewritten: [] };
  const first = renameHosts(key ?? '', text, renamed);
  const rewritten = new Set(first.rewritten);
  let out = first.value;
  for (const [from, to] of renamed) {
    // A word of its own: after the start, a space, a quote, "(", ",", ";" or "="; before the end, a space, a quote, ")", "," or ";".
    out = out.replace(new RegExp(`(^|[\\s"'(,;=])${escape(from)}(?=$|[\\s"'),;])`, 'g'), (m: string, lead: string, offset: number, whole: string) => {
      const before = whole.slice(0, offset + lead.length);
      const after = whole.slice(offset + m.length);
      const flag = lead === '=' ? /([A-Za-z0-9_-]+)=$/.exec(before)?.[1] : /\s$/.test(lead) || lead === '' ? (/(\S+)\s+$/.exec(before)?.[1] ?? (lead === '' ? prev : undefined)) : undefined;
      // `--dbname=my_db`, `-d my_db`, `POSTGRES_DB=my_db`: the flag or key before says it is something else.
      if (namesOther(flag)) return m;
      // The token it is in (between spaces, quotes, ";", "(", ")" and "="): `web_1,db` is a list of hosts.
      const token = `${/[^\s"'(;=]*$/.exec(before)?.[0] ?? ''}${from}${/^[^\s"');]*/.exec(after)?.[0] ?? ''}`;
      const host = namesHost(flag) || /^\s+\d{1,5}(?=$|[\s;&|)"'])/.test(after) || HOST_LIST.test(token);
      if (!host) return m;
      rewritten.add(from);
      return `${lead}${to}`;
    });
  }
  return { value: out, rewritten: [...rewritten] };
}

/**
 * Command or entrypoint words with renamed services rewritten: the indexes of the words that changed,
 * each with the names rewritten in it.
 */
export function renameWords(words: readonly string[], renamed: ReadonlyMap<string, string>): { words: string[]; changed: [index: number, names: string[]][] } {
  const changed: [number, string[]][] = [];
  const out = words.map((w, i) => {
    // The first word is the program (or the image entrypoint's first argument): a word that is only the
    // name there is a program called like the service (`my_app serve`), not a host; a URL or name:port still is.
    if (i === 0 && renamed.has(w.trim())) return w;
    const r = renameReferences(undefined, w, renamed, i > 0 ? words[i - 1] : undefined);
    if (r.rewritten.length) changed.push([i, r.rewritten]);
    return r.value;
  });
  return { words: out, changed };
}

/**
 * A health check's `test` with renamed services rewritten (`pg_isready -h pg_main`: the probe runs
 * in the renamed service's pod or container, where the old name resolves to nothing, so the check
 * would fail for ever). The string and CMD-SHELL forms are shell text; the CMD form is words.
 * `changed`: the suffix of each changed entry's path (`test`, `test[2]`) with the names rewritten.
 */
export function renameHealthTest(test: unknown, renamed: ReadonlyMap<string, string>): { test: unknown; changed: [at: string, names: string[]][] } {
  if (typeof test === 'string') {
    const r = renameReferences(undefined, test, renamed);
    return { test: r.value, changed: r.rewritten.length ? [['test', r.rewritten]] : [] };
  }
  if (!Array.isArray(test) || (test[0] !== 'CMD' && test[0] !== 'CMD-SHELL')) return { test, changed: [] };
  const rest = test.slice(1).map(String);
  const r = test[0] === 'CMD' ? renameWords(rest, renamed) : { words: rest.map((w) => renameReferences(undefined, w, renamed).value), changed: rest.map((w, i) => [i, renameReferences(undefined, w, renamed).rewritten] as [number, string[]]).filter(([, n]) => n.length) };
  return { test: [test[0], ...r.words], changed: r.changed.map(([i, names]) => [`test[${i + 1}]`, names]) };
}

/** The report line for a rewrite: which old names became which new ones, and why; `what` names the text that held them. */
export function renamedLine(olds: readonly string[], renamed: ReadonlyMap<string, string>, what: 'value' | 'word' | 'check'): string {
  const list = olds.map((n) => `"${n}" rewritten to "${renamed.get(n)}"`).join(', ');
  return `${list}: the ${what} uses the service as a host, and the service is imported under the new name (the old one is not a DNS-1123 label), so the old name would resolve on neither target${what === 'check' ? ' and the check would fail' : ''}`;
}
