/**
 * Query field names for an entity type, as graph-node derives them
 * (graph/src/data/graphql/ext.rs `camel_cased_names`): the type name's camel
 * case for one entity, the camel case of its plural for collections, and
 * `_collection` appended when the two are equal. Plural and camel case follow
 * the Inflector crate 0.11.4 graph-node links (`to_plural`, `to_camel_case`),
 * whose rules are not Rails': `Media` -> `medias`, `Series` -> `series_collection`,
 * `ABCToken` -> `abctoken`.
 */

/** Inflector's uncountable words: an exact, case-sensitive match leaves the word as it is. */
const UNCOUNTABLE = new Set(
  (
    'accommodation adulthood advertising advice aggression aid air aircraft alcohol anger applause arithmetic assistance athletics ' +
    'bacon baggage beef biology blood botany bread butter carbon cardboard cash chalk chaos chess crossroads countryside dancing deer ' +
    'dignity dirt dust economics education electricity engineering enjoyment envy equipment ethics evidence evolution fame fiction ' +
    'flour flu food fuel fun furniture gallows garbage garlic genetics gold golf gossip grammar gratitude grief guilt gymnastics ' +
    'happiness hardware harm hate hatred health heat help homework honesty honey hospitality housework humour hunger hydrogen ice ' +
    'importance inflation information innocence iron irony jam jewelry judo karate knowledge lack laughter lava leather leisure ' +
    'lightning linguine linguini linguistics literature litter livestock logic loneliness luck luggage macaroni machinery magic ' +
    'management mankind marble mathematics mayonnaise measles methane milk money mud music mumps nature news nitrogen nonsense nurture ' +
    'nutrition obedience obesity oxygen pasta patience physics poetry pollution poverty pride psychology publicity punctuation quartz ' +
    'racism relaxation reliability research respect revenge rice rubbish rum safety scenery seafood seaside series shame sheep shopping ' +
    'sleep smoke smoking snow soap software soil spaghetti species steam stuff stupidity sunshine symmetry tennis thirst thunder timber ' +
    'traffic transportation trust underwear unemployment unity validity veal vegetation vegetarianism vengeance violence vitality ' +
    'warmth wealth weather welfare wheat wildlife wisdom yoga zinc zoology'
  ).split(' '),
);

/** Whole-word exceptions, matched exactly and case-sensitively. */
const SPECIAL: Record<string, string> = {
  ox: 'oxen',
  man: 'men',
  woman: 'women',
  die: 'dice',
  yes: 'yeses',
  foot: 'feet',
  eave: 'eaves',
  goose: 'geese',
  tooth: 'teeth',
  quiz: 'quizzes',
};

/**
 * Inflector's plural rules, case-sensitive, tried from the LAST to the first:
 * the first that matches keeps its first group and appends the suffix. Type
 * names are word characters only, so every match starts at the beginning.
 */
const RULES: Array<[RegExp, string]> = [
  [/^(\w*)s$/, 's'],
  [/^(\w*([^aeiou]ese))$/, ''],
  [/^(\w*(ax|test))is$/, 'es'],
  [/^(\w*(alias|[^aou]us|tlas|gas|ris))$/, 'es'],
  [/^(\w*(e[mn]u))s?$/, 's'],
  [/^(\w*([^l]ias|[aeiou]las|[emjzr]as|[iu]am))$/, ''],
  [/^(\w*(alumn|syllab|octop|vir|radi|nucle|fung|cact|stimul|termin|bacill|foc|uter|loc|strat))(?:us|i)$/, 'i'],
  [/^(\w*(alumn|alg|vertebr))(?:a|ae)$/, 'ae'],
  [/^(\w*(seraph|cherub))(?:im)?$/, 'im'],
  [/^(\w*(her|at|gr))o$/, 'oes'],
  [/^(\w*(agend|addend|millenni|dat|extrem|bacteri|desiderat|strat|candelabr|errat|ov|symposi|curricul|automat|quor))(?:a|um)$/, 'a'],
  [/^(\w*(apheli|hyperbat|periheli|asyndet|noumen|phenomen|criteri|organ|prolegomen|hedr|automat))(?:a|on)$/, 'a'],
  [/^(\w*)sis$/, 'ses'],
  [/^(\w*(kni|wi|li))fe$/, 'ves'],
  [/^(\w*(ar|l|ea|eo|oa|hoo))f$/, 'ves'],
  [/^(\w*([^aeiouy]|qu))y$/, 'ies'],
  [/^(\w*([^ch][ieo][ln]))ey$/, 'ies'],
  [/^(\w*(x|ch|ss|sh|zz)es)$/, ''],
  [/^(\w*(x|ch|ss|sh|zz))$/, 'es'],
  [/^(\w*(matr|cod|mur|sil|vert|ind|append))(?:ix|ex)$/, 'ices'],
  [/^(\w*(m|l)(?:ice|ouse))$/, 'ice'],
  [/^(\w*(pe)(?:rson|ople))$/, 'ople'],
  [/^(\w*(child))(?:ren)?$/, 'ren'],
  [/^(\w*eaux)$/, ''],
];

export function pluralize(word: string): string {
  if (UNCOUNTABLE.has(word)) return word;
  if (Object.hasOwn(SPECIAL, word)) return SPECIAL[word];
  for (let i = RULES.length - 1; i >= 0; i--) {
    const m = RULES[i][0].exec(word);
    if (m) return m[1] + RULES[i][1];
  }
  return word + 's';
}

const isAlphanumeric = (c: string) => /^[\p{L}\p{N}]$/u.test(c);
const isLower = (c: string) => c !== c.toUpperCase() && c === c.toLowerCase();
const isUpper = (c: string) => c !== c.toLowerCase() && c === c.toUpperCase();

/**
 * Inflector's to_camel_case: separators start a new word, a digit is kept
 * and starts a new word, an upper-case letter after a lower-case one starts
 * a new word; every other letter is lower-cased. Runs of capitals therefore
 * collapse (`ABCToken` -> `abctoken`, `ERC20Token` -> `erc20Token`).
 */
export function camelCase(name: string): string {
  const chars = [...name.replace(/[^\p{L}\p{N}]+$/u, '')];
  let newWord = false;
  let lastLetter = ' ';
  let started = false;
  let out = '';
  for (const c of chars) {
    if (!isAlphanumeric(c)) {
      if (started) newWord = true;
      continue;
    }
    started = true;
    if (/^\p{N}$/u.test(c)) {
      newWord = true;
      out += c;
    } else if (newWord || (isLower(lastLetter) && isUpper(c))) {
      newWord = false;
      out += c.toUpperCase();
    } else {
      lastLetter = c;
      out += c.toLowerCase();
    }
  }
  return out;
}

export function queryFieldNames(typeName: string): { singular: string; plural: string } {
  const singular = camelCase(typeName);
  let plural = camelCase(pluralize(typeName));
  if (plural === singular) plural += '_collection';
  return { singular, plural };
}
