/**
 * Query field names for an entity type, as graph-node derives them
 * (graph/src/data/graphql/ext.rs `camel_cased_names`, with the Inflector
 * crate): `Position` -> `position` and `positions`; when the plural equals
 * the singular, the plural gets `_collection` appended.
 */

function words(name: string): string[] {
  return name.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g) ?? [name];
}

export function camelCase(name: string): string {
  return words(name)
    .map((w, i) => (i === 0 ? w.toLowerCase() : w[0].toUpperCase() + w.slice(1).toLowerCase()))
    .join('');
}

const UNCOUNTABLE = ['equipment', 'information', 'rice', 'money', 'species', 'series', 'fish', 'sheep', 'jeans', 'police'];
const IRREGULAR: Array<[string, string]> = [
  ['person', 'people'],
  ['man', 'men'],
  ['child', 'children'],
  ['sex', 'sexes'],
  ['move', 'moves'],
  ['zombie', 'zombies'],
];
/** English plural rules in priority order (the Rails inflections the Inflector crate follows). */
const RULES: Array<[RegExp, string]> = [
  [/(quiz)$/i, '$1zes'],
  [/^(oxen)$/i, '$1'],
  [/^(ox)$/i, '$1en'],
  [/^(m|l)ice$/i, '$1ice'],
  [/^(m|l)ouse$/i, '$1ice'],
  [/(matr|vert|ind)(?:ix|ex)$/i, '$1ices'],
  [/(x|ch|ss|sh)$/i, '$1es'],
  [/([^aeiouy]|qu)y$/i, '$1ies'],
  [/(hive)$/i, '$1s'],
  [/(?:([^f])fe|([lr])f)$/i, '$1$2ves'],
  [/sis$/i, 'ses'],
  [/([ti])a$/i, '$1a'],
  [/([ti])um$/i, '$1a'],
  [/(buffal|tomat)o$/i, '$1oes'],
  [/(bu)s$/i, '$1ses'],
  [/(alias|status)$/i, '$1es'],
  [/(octop|vir)i$/i, '$1i'],
  [/(octop|vir)us$/i, '$1i'],
  [/^(ax|test)is$/i, '$1es'],
  [/s$/i, 's'],
  [/$/, 's'],
];

export function pluralize(word: string): string {
  const lower = word.toLowerCase();
  if (UNCOUNTABLE.some((u) => lower.endsWith(u))) return word;
  for (const [single, plural] of IRREGULAR) {
    if (lower.endsWith(single) && (lower.length === single.length || /[a-z][A-Z]/.test(word.slice(-single.length - 1, -single.length + 1)))) {
      const head = word.slice(0, word.length - single.length);
      const tail = word.slice(word.length - single.length);
      return head + (tail[0] === tail[0].toUpperCase() ? plural[0].toUpperCase() + plural.slice(1) : plural);
    }
  }
  for (const [re, replacement] of RULES) if (re.test(word)) return word.replace(re, replacement);
  return word + 's';
}

export function queryFieldNames(typeName: string): { singular: string; plural: string } {
  const singular = camelCase(typeName);
  let plural = camelCase(pluralize(typeName));
  if (plural === singular) plural += '_collection';
  return { singular, plural };
}
