import { describeUrlCredential, LINK, literalUrlCredentials, maskUrlCredentials } from '../../util/credentials.ts';

/**
 * The names pull gives the `${env:NAME}` variables it writes for one resource's credentials:
 * `<PREFIX>_<KEY>_<PART...>` in capitals, anything but letters and digits as `_`. Each call names
 * one value, and no two values of a resource get one name: a name already given (two header
 * names that read alike, `X-Token` and `x_token`) gets `_2`, `_3`, ... Callers keep their kinds of
 * part apart by a word of their own (`HEADER`, `PARAM`), so a header named `URL` is not the URL.
 */
export function pulledVariableNames(prefix: string, key: string): (...parts: string[]) => string {
  const given = new Set<string>();
  return (...parts) => {
    const base = [prefix, key, ...parts]
      .join('_')
      .toUpperCase()
      .replace(/[^A-Z0-9]+/g, '_');
    let name = base;
    for (let n = 2; given.has(name); n++) name = `${base}_${n}`;
    given.add(name);
    return name;
  };
}

/**
 * A value holding a credential in a URL written in clear (the value as a URL: a webhook's or an
 * ML backend's URL, an s3_endpoint; or a link inside it: a description) becomes one
 * `${env:NAME}` for the whole value, with the note saying what to set: the value as Label Studio
 * has it. Undefined when it holds none. `field` names the value in the note ("the URL",
 * "s3_endpoint"); `owner` whose it is ("the webhook's URL", "the s3_endpoint").
 */
export function urlCredentialAsVariable(
  text: string,
  variable: () => string,
  said: { readonly field: string; readonly owner: string },
): { readonly text: string; readonly note: string } | undefined {
  const [found] = [text, ...(text.match(LINK) ?? []).filter((link) => link !== text)].flatMap(literalUrlCredentials);
  if (!found) return undefined;
  const name = variable();
  return {
    text: `\${env:${name}}`,
    note: `${said.field} holds a credential (${describeUrlCredential(found)}): written as \${env:${name}}; set ${name} to ${said.owner} as Label Studio has it before \`labelform plan\``,
  };
}

/**
 * Each link in a text that holds a credential written in clear (a label config's
 * `<Image value="https://…?token=…"/>`, where the text around it should stay readable) becomes
 * its own `${env:NAME}`, with a note per link naming the link masked and what to set: the link as
 * the text writes it. The text is unchanged, with no note, when it links none.
 */
export function urlCredentialLinksAsVariables(
  text: string,
  variable: () => string,
  said: { readonly field: string; readonly owner: string },
): { readonly text: string; readonly notes: readonly string[] } {
  const notes: string[] = [];
  let out = '';
  let from = 0;
  for (const m of text.matchAll(LINK)) {
    // Punctuation after a link in prose is not part of it (as maskUrlsInText reads it).
    const link = m[0].replace(/[.,;:!?]+$/, '');
    const [found] = literalUrlCredentials(link);
    if (!found) continue;
    const name = variable();
    out += `${text.slice(from, m.index)}\${env:${name}}`;
    from = m.index + link.length;
    notes.push(
      `${said.field} holds a credential (${describeUrlCredential(found)}) in ${maskUrlCredentials(link)}: written as \${env:${name}}; set ${name} to that URL as ${said.owner} writes it in Label Studio before \`labelform plan\``,
    );
  }
  return { text: out + text.slice(from), notes };
}
