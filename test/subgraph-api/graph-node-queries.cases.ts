/**
 * The cases of graph-node's store/test-store/tests/graphql/query.rs: each
 * test's query and graph-node's expected answer, as that file states them.
 * `s` holds the song ids of the build (s[1] is song 1); `@S1@` in a query is
 * song 1's id as a GraphQL literal. Cases that cannot run on svr are not
 * here; docs/graph-node-parity.md lists them with the reason.
 */
export interface Case {
  /** The query.rs test function. */
  test: string;
  /** Which of the test's queries, where it has several. */
  part?: string;
  query: string;
  variables?: Record<string, unknown>;
  /** graph-node's `data`; the answer has no errors. */
  data?: (s: string[], ctx: CaseContext) => unknown;
  /** graph-node's whole answer, where it has errors. */
  result?: (s: string[], ctx: CaseContext) => unknown;
  /** Where query.rs checks only that the first error's message contains a text (check_musicians_at). */
  errorContains?: (ctx: CaseContext) => string;
  /** Where query.rs checks only that there are errors. */
  hasErrors?: true;
}

export interface CaseContext {
  /** The deployment id, graph-node's `id_type.deployment_id()`. */
  deployment: string;
}

/** graph-node's test chain (store/test-store/src/block_store.rs; query.rs BLOCKS): block 3 is on the chain but not indexed, block 4 is not on it. */
export const BLOCK_HASHES = [
  '0xbd34884280958002c51d3f7b5f853e6febeba33de0f40d15b0363006533c924f',
  '0x8511fa04b64657581e3f00e14543c1d522d5d7e771b54aa3060b662ade47da13',
  '0xf8ccbd3877eb98c958614f395dd351211afb9abba187bfc1fb4ac414b099c4a6',
  '0x7347afe69254df06729e123610b00b8b11f15cfae3241f9366fb113aec07489c',
  '0x7cce080f5a49c2997a6cc65fc1cee9910fd8fc3721b7010c0b5d0873e2ac785e',
];

const BIRTH = '1710837304040956';
const musicians = ['John', 'Lisa', 'Tom', 'Valerie', 'Paul'];
const names = (list: string[]) => list.map((name) => ({ name }));


const ids = (list: string[]) => list.map((id) => ({ id }));
const ALL = ['m1', 'm2', 'm3', 'm4', 'm5'];
const notIndexed = (n: number) => (ctx: CaseContext) =>
  `subgraph ${ctx.deployment} has only indexed up to block number 2 and data for block number ${n} is therefore not yet available`;

/** query.rs query_at_block and query_at_block_with_vars (check_musicians_at): musicians' ids, or an error text. */
function musiciansAt(test: string, part: string, query: string, variables: Record<string, unknown>, expected: string[] | ((ctx: CaseContext) => string)): Case {
  return typeof expected === 'function'
    ? { test, part, query, variables, errorContains: expected }
    : { test, part, query, variables, data: () => ({ musicians: ids(expected) }) };
}

const atBlock: Array<[string, string, string[] | ((ctx: CaseContext) => string)]> = [
  ['n7000', 'number: 7000', notIndexed(7000)],
  ['n0', 'number: 0', ['m1', 'm2']],
  ['n1', 'number: 1', ALL],
  ['h0', `hash: "${BLOCK_HASHES[0]}"`, ['m1', 'm2']],
  ['h1', `hash: "${BLOCK_HASHES[1]}"`, ALL],
  ['h2', `hash: "${BLOCK_HASHES[2]}"`, ALL],
  ['h4', `hash: "${BLOCK_HASHES[4]}"`, () => 'no block with that hash found'],
];

const atBlockWithVars: Case[] = [
  ...([
    ['n7000', 7000, notIndexed(7000)],
    ['n0', 0, ['m1', 'm2']],
    ['n1', 1, ALL],
  ] as const).flatMap(([qid, block, expected]) => [
    musiciansAt('query_at_block_with_vars', `${qid} Int!`, 'query by_nr($block: Int!) { musicians(block: { number: $block }) { id } }', { block }, expected as string[]),
    musiciansAt('query_at_block_with_vars', `${qid} Block_height!`, 'query by_nr($block: Block_height!) { musicians(block: $block) { id } }', { block: { number: block } }, expected as string[]),
  ]),
  ...([
    ['ngte7000', 7000, notIndexed(7000)],
    ['ngte0', 0, ALL],
    ['ngte1', 1, ALL],
  ] as const).map(([qid, block, expected]) =>
    musiciansAt('query_at_block_with_vars', qid, 'query by_nr($block: Int!) { musicians(block: { number_gte: $block }) { id } }', { block }, expected as string[]),
  ),
  ...([
    ['h0', 0, ['m1', 'm2']],
    ['h1', 1, ALL],
    ['h2', 2, ALL],
    ['h4', 4, () => 'no block with that hash found'],
  ] as const).map(([qid, n, expected]) =>
    musiciansAt('query_at_block_with_vars', qid, 'query by_hash($block: Bytes!) { musicians(block: { hash: $block }) { id } }', { block: BLOCK_HASHES[n] }, expected as string[]),
  ),
];

export const CASES: Case[] = [
  {
    test: 'can_query_one_to_one_relationship',
    part: 'musicians; songStats without song, which needs @derivedFrom(field: "id")',
    query: '{ musicians(first: 100, orderBy: id) { name mainBand { name } favoriteCount birthDate } songStats(first: 100, orderBy: id) { id played } }',
    data: (s) => ({
      musicians: [
        { name: 'John', mainBand: { name: 'The Musicians' }, favoriteCount: '10', birthDate: BIRTH },
        { name: 'Lisa', mainBand: { name: 'The Musicians' }, favoriteCount: '100', birthDate: BIRTH },
        { name: 'Tom', mainBand: { name: 'The Amateurs' }, favoriteCount: '5', birthDate: BIRTH },
        { name: 'Valerie', mainBand: null, favoriteCount: '20', birthDate: BIRTH },
        { name: 'Paul', mainBand: { name: 'The Amateurs' }, favoriteCount: '2', birthDate: BIRTH },
      ],
      songStats: [
        { id: s[1], played: 10 },
        { id: s[2], played: 15 },
      ],
    }),
  },
  {
    test: 'can_filter_by_timestamp',
    part: 'gt',
    query: '{ musicians(first: 100, orderBy: id, where: { birthDate_gt: "1710837304040955" }) { name } }',
    data: () => ({ musicians: names(musicians) }),
  },
  {
    test: 'can_filter_by_timestamp',
    part: 'lt',
    query: '{ musicians(first: 100, orderBy: id, where: { birthDate_lt: "1710837304040955" }) { name } }',
    data: () => ({ musicians: [] }),
  },
  {
    test: 'can_query_one_to_many_relationships_in_both_directions',
    query: '{ musicians(first: 100, orderBy: id) { name writtenSongs(first: 100, orderBy: id) { title writtenBy { name } } } }',
    data: () => {
      const song = (title: string, author: string) => ({ title, writtenBy: { name: author } });
      return {
        musicians: [
          { name: 'John', writtenSongs: [song('Cheesy Tune', 'John'), song('Pop Tune', 'John')] },
          { name: 'Lisa', writtenSongs: [song('Rock Tune', 'Lisa')] },
          { name: 'Tom', writtenSongs: [song('Folk Tune', 'Tom')] },
          { name: 'Valerie', writtenSongs: [] },
          { name: 'Paul', writtenSongs: [] },
        ],
      };
    },
  },
  {
    test: 'can_query_many_to_many_relationship',
    query: '{ musicians(first: 100, orderBy: id) { name bands(first: 100, orderBy: id) { name members(first: 100, orderBy: id) { name } } } }',
    data: () => {
      const theMusicians = { name: 'The Musicians', members: names(['John', 'Lisa', 'Tom']) };
      const theAmateurs = { name: 'The Amateurs', members: names(['John', 'Tom', 'Paul']) };
      return {
        musicians: [
          { name: 'John', bands: [theMusicians, theAmateurs] },
          { name: 'Lisa', bands: [theMusicians] },
          { name: 'Tom', bands: [theMusicians, theAmateurs] },
          { name: 'Valerie', bands: [] },
          { name: 'Paul', bands: [theAmateurs] },
        ],
      };
    },
  },
  {
    test: 'can_query_with_fulltext_search',
    query: '{ bandReviewSearch(text: "musicians") { id body author { name } } }',
    data: () => ({
      bandReviewSearch: [
        { id: 'r1', body: 'Bad musicians', author: { name: 'Baden' } },
        { id: 'r5', body: 'Very Bad musicians', author: { name: 'Anonymous 3' } },
      ],
    }),
  },
  {
    test: 'can_query_with_fulltext_search_filter',
    query: '{ bandReviewSearch(text: "musicians", where: { author_: { name: "Anonymous 3" } }) { id body author { name } } }',
    data: () => ({ bandReviewSearch: [{ id: 'r5', body: 'Very Bad musicians', author: { name: 'Anonymous 3' } }] }),
  },
  {
    test: 'can_query_with_sorting_by_child_entity',
    query:
      '{ desc: musicians(first: 100, orderBy: mainBand__name, orderDirection: desc) { name mainBand { name } } asc: musicians(first: 100, orderBy: mainBand__name, orderDirection: asc) { name mainBand { name } } }',
    data: () => ({
      desc: [
        { name: 'Valerie', mainBand: null },
        { name: 'Lisa', mainBand: { name: 'The Musicians' } },
        { name: 'John', mainBand: { name: 'The Musicians' } },
        { name: 'Paul', mainBand: { name: 'The Amateurs' } },
        { name: 'Tom', mainBand: { name: 'The Amateurs' } },
      ],
      asc: [
        { name: 'Tom', mainBand: { name: 'The Amateurs' } },
        { name: 'Paul', mainBand: { name: 'The Amateurs' } },
        { name: 'John', mainBand: { name: 'The Musicians' } },
        { name: 'Lisa', mainBand: { name: 'The Musicians' } },
        { name: 'Valerie', mainBand: null },
      ],
    }),
  },
  {
    test: 'can_query_with_sorting_by_child_entity_id',
    query:
      '{ desc: bandReviews(first: 100, orderBy: author__id, orderDirection: desc) { body author { name } } asc: bandReviews(first: 100, orderBy: author__id, orderDirection: asc) { body author { name } } }',
    data: () => ({
      desc: [
        { body: 'Very Bad musicians', author: { name: 'Anonymous 3' } },
        { body: 'Good amateurs', author: { name: 'Goodwill' } },
        { body: 'Bad musicians', author: { name: 'Baden' } },
      ],
      asc: [
        { body: 'Bad musicians', author: { name: 'Baden' } },
        { body: 'Good amateurs', author: { name: 'Goodwill' } },
        { body: 'Very Bad musicians', author: { name: 'Anonymous 3' } },
      ],
    }),
  },
  {
    test: 'can_query_with_sorting_by_child_interface',
    query:
      '{ desc: songReviews(first: 100, orderBy: author__name, orderDirection: desc) { body author { name } } asc: songReviews(first: 100, orderBy: author__name, orderDirection: asc) { body author { name } } }',
    data: () => ({
      desc: [
        { body: 'Good', author: { name: 'Goodwill' } },
        { body: 'Bad', author: { name: 'Baden' } },
        { body: 'Very Bad', author: { name: 'Anonymous 3' } },
      ],
      asc: [
        { body: 'Very Bad', author: { name: 'Anonymous 3' } },
        { body: 'Bad', author: { name: 'Baden' } },
        { body: 'Good', author: { name: 'Goodwill' } },
      ],
    }),
  },
  {
    test: 'can_query_interface_with_sorting_by_child_entity',
    query:
      '{ desc: medias(first: 100, orderBy: author__name, orderDirection: desc) { title author { name } } asc: medias(first: 100, orderBy: author__name, orderDirection: asc) { title author { name } } }',
    data: () => {
      const desc = [
        { title: 'Folk Tune Music Video', author: { name: 'Goodwill' } },
        { title: 'Rock Tune Music Video', author: { name: 'Goodwill' } },
        { title: 'Cheesy Tune Music Video', author: { name: 'Goodwill' } },
        { title: 'Pop Tune Single Cover', author: { name: 'Baden' } },
        { title: 'Rock Tune Single Cover', author: { name: 'Baden' } },
        { title: 'Cheesy Tune Single Cover', author: { name: 'Baden' } },
      ];
      return { desc, asc: [...desc].reverse() };
    },
  },
  {
    test: 'can_query_interface_with_sorting_by_derived_child_entity',
    query:
      '{ desc: medias(first: 100, orderBy: song__title, orderDirection: desc) { title song { title } } asc: medias(first: 100, orderBy: song__title, orderDirection: asc) { title song { title } } }',
    data: () => ({
      desc: [
        { title: 'Rock Tune Music Video', song: { title: 'Rock Tune' } },
        { title: 'Rock Tune Single Cover', song: { title: 'Rock Tune' } },
        { title: 'Pop Tune Single Cover', song: { title: 'Pop Tune' } },
        { title: 'Folk Tune Music Video', song: { title: 'Folk Tune' } },
        { title: 'Cheesy Tune Music Video', song: { title: 'Cheesy Tune' } },
        { title: 'Cheesy Tune Single Cover', song: { title: 'Cheesy Tune' } },
      ],
      asc: [
        { title: 'Cheesy Tune Single Cover', song: { title: 'Cheesy Tune' } },
        { title: 'Cheesy Tune Music Video', song: { title: 'Cheesy Tune' } },
        { title: 'Folk Tune Music Video', song: { title: 'Folk Tune' } },
        { title: 'Pop Tune Single Cover', song: { title: 'Pop Tune' } },
        { title: 'Rock Tune Single Cover', song: { title: 'Rock Tune' } },
        { title: 'Rock Tune Music Video', song: { title: 'Rock Tune' } },
      ],
    }),
  },
  {
    test: 'can_query_with_child_filter_on_list_type_field',
    query: '{ musicians(first: 100, orderBy: id, where: { bands_: { name: "The Amateurs" } }) { name bands(first: 100, orderBy: id) { name } } }',
    data: () => ({
      musicians: [
        { name: 'John', bands: names(['The Musicians', 'The Amateurs']) },
        { name: 'Tom', bands: names(['The Musicians', 'The Amateurs']) },
        { name: 'Paul', bands: names(['The Amateurs']) },
      ],
    }),
  },
  {
    test: 'can_query_with_child_filter_on_derived_list_type_field',
    query: '{ musicians(first: 100, orderBy: id, where: { writtenSongs_: { title_contains: "Rock" } }) { name } }',
    data: () => ({ musicians: names(['Lisa']) }),
  },
  {
    test: 'can_query_with_child_filter_on_named_type_field',
    query: '{ musicians(first: 100, orderBy: id, where: { mainBand_: { name_contains: "The Amateurs" } }) { name mainBand { id } } }',
    data: () => ({
      musicians: [
        { name: 'Tom', mainBand: { id: 'b2' } },
        { name: 'Paul', mainBand: { id: 'b2' } },
      ],
    }),
  },
  {
    test: 'can_query_with_child_filter_on_derived_named_type_field',
    query: '{ songs(first: 100, orderBy: id, where: { band_: { name_contains: "The Musicians" } }) { title } }',
    data: () => ({ songs: [{ title: 'Cheesy Tune' }, { title: 'Rock Tune' }] }),
  },
  {
    test: 'can_query_an_interface_with_child_filter_on_named_type_field',
    query: '{ reviews(first: 100, orderBy: id, where: { author_: { name_starts_with: "Good" } }) { body author { name } } }',
    data: () => ({
      reviews: [
        { body: 'Good amateurs', author: { name: 'Goodwill' } },
        { body: 'Good', author: { name: 'Goodwill' } },
      ],
    }),
  },
  {
    test: 'can_query_with_child_filter_on_derived_interface_list_field',
    query: '{ users(first: 100, orderBy: id, where: { reviews_: { body_starts_with: "Good" } }) { name reviews { body } } }',
    data: () => ({ users: [{ name: 'Goodwill', reviews: [{ body: 'Good amateurs' }, { body: 'Good' }] }] }),
  },
  {
    test: 'can_query_entity_by_child_entity_field',
    query: '{ users(first: 100, orderBy: id, where: { latestSongReview_: { body_starts_with: "Good" } }) { name latestSongReview { body } } }',
    data: () => ({ users: [{ name: 'Goodwill', latestSongReview: { body: 'Good' } }] }),
  },
  {
    test: 'can_query_entity_by_child_interface_field',
    query: '{ users(first: 100, orderBy: id, where: { latestReview_: { body_starts_with: "Good" } }) { name latestReview { body } } }',
    data: () => ({ users: [{ name: 'Goodwill', latestReview: { body: 'Good amateurs' } }] }),
  },
  {
    test: 'can_query_interface_by_child_entity_field',
    query: '{ reviews(first: 100, orderBy: id, where: { author_: { name_starts_with: "Good" } }) { body author { name } } }',
    data: () => ({
      reviews: [
        { body: 'Good amateurs', author: { name: 'Goodwill' } },
        { body: 'Good', author: { name: 'Goodwill' } },
      ],
    }),
  },
  {
    test: 'can_query_entity_by_child_interface_derived_field',
    query: '{ songs(first: 100, orderBy: id, where: { release_: { title_starts_with: "Pop" } }) { title release { title } } }',
    data: () => ({
      songs: [
        { title: 'Pop Tune', release: { title: 'Pop and Folk' } },
        { title: 'Folk Tune', release: { title: 'Pop and Folk' } },
      ],
    }),
  },
  {
    test: 'can_query_interface_by_child_entity_derived_field',
    query: '{ medias(first: 100, orderBy: id, where: { song_: { title_starts_with: "Folk" } }) { title song { title } } }',
    data: () => ({ medias: [{ title: 'Folk Tune Music Video', song: { title: 'Folk Tune' } }] }),
  },
  {
    test: 'can_query_entity_by_child_interface_list_field',
    query: '{ songs(first: 100, orderBy: id, where: { media_: { title_starts_with: "Cheesy Tune" } }) { title media { title } } }',
    data: () => ({ songs: [{ title: 'Cheesy Tune', media: [{ title: 'Cheesy Tune Single Cover' }, { title: 'Cheesy Tune Music Video' }] }] }),
  },
  {
    test: 'can_query_entity_by_child_interface_list_derived_field',
    query: '{ songs(first: 100, orderBy: id, where: { reviews_: { body_starts_with: "Good" } }) { title reviews { body } } }',
    data: () => ({ songs: [{ title: 'Pop Tune', reviews: [{ body: 'Good' }] }] }),
  },
  {
    test: 'root_fragments_are_expanded',
    query: 'fragment Musicians on Query { musicians(first: 100, where: { name: "Tom" }) { name } } query MyQuery { ...Musicians }',
    data: () => ({ musicians: [{ name: 'Tom' }] }),
  },
  {
    test: 'query_variables_are_used',
    query: 'query musicians($where: Musician_filter!) { musicians(first: 100, where: $where) { name } }',
    variables: { where: { name: 'Tom' } },
    data: () => ({ musicians: [{ name: 'Tom' }] }),
  },
  {
    test: 'mixed_parent_child_id',
    part: 'Bytes publisher',
    query: 'query amxx { songs(first: 2) { publisher { id } } }',
    data: () => ({ songs: [{ publisher: { id: '0xb1' } }, { publisher: { id: '0xb1' } }] }),
  },
  {
    test: 'mixed_parent_child_id',
    part: 'String writer',
    query: 'query bytes_string { songs(first: 2) { writtenBy { id } } }',
    data: () => ({ songs: [{ writtenBy: { id: 'm1' } }, { writtenBy: { id: 'm2' } }] }),
  },
  ...[true, false].flatMap((flag) => [
    {
      test: 'skip_directive_works_with_query_variables',
      part: `skip ${flag}`,
      query: 'query musicians($skip: Boolean!) { musicians(first: 100, orderBy: id) { id @skip(if: $skip) name } }',
      variables: { skip: flag },
      data: () => ({ musicians: flag ? names(musicians) : musicians.map((name, i) => ({ id: `m${i + 1}`, name })) }),
    },
    {
      test: 'include_directive_works_with_query_variables',
      part: `include ${flag}`,
      query: 'query musicians($include: Boolean!) { musicians(first: 100, orderBy: id) { id @include(if: $include) name } }',
      variables: { include: flag },
      data: () => ({ musicians: flag ? musicians.map((name, i) => ({ id: `m${i + 1}`, name })) : names(musicians) }),
    },
  ]),
  {
    test: 'variable_defaults',
    part: 'default desc',
    query: 'query musicians($orderDir: OrderDirection = desc) { bands(first: 2, orderBy: id, orderDirection: $orderDir) { id } }',
    variables: {},
    data: () => ({ bands: ids(['b2', 'b1']) }),
  },
  {
    test: 'variable_defaults',
    part: 'explicit null',
    query: 'query musicians($orderDir: OrderDirection = desc) { bands(first: 2, orderBy: id, orderDirection: $orderDir) { id } }',
    variables: { orderDir: null },
    data: () => ({ bands: ids(['b1', 'b2']) }),
  },
  {
    test: 'skip_is_nullable',
    query: 'query musicians { musicians(orderBy: id, skip: null) { name } }',
    data: () => ({ musicians: names(musicians) }),
  },
  {
    test: 'first_is_nullable',
    query: 'query musicians { musicians(first: null, orderBy: id) { name } }',
    data: () => ({ musicians: names(musicians) }),
  },
  {
    test: 'nested_variable',
    query: 'query musicians($name: String) { musicians(first: 100, where: { name: $name }) { name } }',
    variables: { name: 'Lisa' },
    data: () => ({ musicians: [{ name: 'Lisa' }] }),
  },
  {
    test: 'ambiguous_derived_from_result',
    query: '{ songs(first: 100, orderBy: id) { id band { id } } }',
    result: () => ({
      errors: [{ message: 'Ambiguous result for derived field `band`: Multiple `Band` entities refer back via `originalSongs`', locations: [{ line: 1, column: 39 }] }],
    }),
  },
  {
    test: 'can_filter_by_relationship_fields',
    query:
      '{ musicians(orderBy: id, where: { mainBand: "b2" }) { id name mainBand { id } } bands(orderBy: id, where: { originalSongs: [@S1@, @S3@, @S4@] }) { id name originalSongs { id } } }',
    data: (s) => ({
      musicians: [
        { id: 'm3', name: 'Tom', mainBand: { id: 'b2' } },
        { id: 'm5', name: 'Paul', mainBand: { id: 'b2' } },
      ],
      bands: [{ id: 'b2', name: 'The Amateurs', originalSongs: ids([s[1], s[3], s[4]]) }],
    }),
  },
  {
    test: 'cannot_filter_by_derved_relationship_fields',
    query: '{ musicians(orderBy: id, where: { writtenSongs: [@S1@] }) { id name mainBand { id } } }',
    result: () => ({ errors: [{ message: 'Field "writtenSongs" is not defined by type "Musician_filter".' }] }),
  },
  {
    test: 'can_use_nested_filter',
    query: '{ musicians(orderBy: id) { name bands(where: { originalSongs: [@S1@, @S3@, @S4@] }) { id } } }',
    data: () => ({
      musicians: [
        { name: 'John', bands: ids(['b2']) },
        { name: 'Lisa', bands: [] },
        { name: 'Tom', bands: ids(['b2']) },
        { name: 'Valerie', bands: [] },
        { name: 'Paul', bands: ids(['b2']) },
      ],
    }),
  },
  {
    test: 'ignores_invalid_field_arguments',
    query: 'query { musicians(id: "m1") { id } } ',
    result: () => ({ errors: [{ message: 'Unknown argument "id" on field "Query.musicians".' }] }),
  },
  {
    test: 'leaf_selection_mismatch',
    part: 'selection on a scalar',
    query: 'query { musician(id: "m1") { id name { wat }} } ',
    result: () => ({
      errors: [{ message: 'Field "name" must not have a selection since type "String!" has no subfields.' }, { message: 'Cannot query field "wat" on type "String".' }],
    }),
  },
  {
    test: 'leaf_selection_mismatch',
    part: 'no selection on an object',
    query: 'query { musician(id: "m1") { id name mainBand } } ',
    result: () => ({ errors: [{ message: 'Field "mainBand" of type "Band" must have a selection of subfields. Did you mean "mainBand { ... }"?' }] }),
  },
  {
    test: 'missing_variable',
    part: '$first',
    query: 'query { musicians(first: $first) { id } }',
    result: () => ({ errors: [{ message: 'Variable "$first" is not defined.' }] }),
  },
  {
    test: 'missing_variable',
    part: '$where',
    query: 'query { musicians(where: $where) { id } }',
    result: () => ({ errors: [{ message: 'Variable "$where" is not defined.' }] }),
  },
  { test: 'invalid_field_merge', query: 'query { musicians { t: id t: mainBand { id } } }', hasErrors: true },
  ...atBlock.map(([qid, block, expected]) => musiciansAt('query_at_block', qid, `query { musicians(block: { ${block} }) { id } }`, {}, expected)),
  ...atBlockWithVars,
  {
    test: 'can_query_meta',
    part: 'latest block',
    query: 'query { _meta { deployment block { hash number parentHash __typename } __typename } }',
    data: (_s, ctx) => ({
      _meta: {
        deployment: ctx.deployment,
        block: { hash: BLOCK_HASHES[2], number: 2, parentHash: BLOCK_HASHES[1], __typename: '_Block_' },
        __typename: '_Meta_',
      },
    }),
  },
  {
    test: 'can_query_meta',
    part: 'block 0 by number',
    query: 'query { _meta(block: { number: 0 }) { deployment block { hash number } } }',
    data: (_s, ctx) => ({ _meta: { deployment: ctx.deployment, block: { hash: null, number: 0 } } }),
  },
  {
    test: 'can_query_meta',
    part: 'block 0 by a hash without 0x',
    query: 'query { _meta(block: { hash: "bd34884280958002c51d3f7b5f853e6febeba33de0f40d15b0363006533c924f" }) { deployment block { hash number } } }',
    data: (_s, ctx) => ({ _meta: { deployment: ctx.deployment, block: { hash: BLOCK_HASHES[0], number: 0 } } }),
  },
  {
    test: 'can_query_meta',
    part: 'block 3, past the head',
    query: 'query { _meta(block: { number: 3 }) { deployment block { hash number } } }',
    errorContains: notIndexed(3),
  },
  {
    test: 'can_query_meta',
    part: 'number_gte 1',
    query: 'query { _meta(block: { number_gte: 1 }) { block { hash number } } }',
    data: () => ({ _meta: { block: { hash: BLOCK_HASHES[2], number: 2 } } }),
  },
  { test: 'can_query_root_typename', query: 'query { __typename }', data: () => ({ __typename: 'Query' }) },
  {
    test: 'can_query_with_or_filter',
    query: '{ musicians(where: { or: [{ name: "John" }, { id: "m2" }] }) { name id } }',
    data: () => ({ musicians: [{ name: 'John', id: 'm1' }, { name: 'Lisa', id: 'm2' }] }),
  },
  {
    test: 'can_query_with_or_filter_fields_always_and',
    query: '{ musicians(where: { or: [{ name: "John", id: "m2" }] }) { name id } }',
    data: () => ({ musicians: [] }),
  },
  {
    test: 'can_query_with_and_filter',
    query: '{ musicians(where: { and: [{ name: "John", id: "m2" }] }) { name id } }',
    data: () => ({ musicians: [] }),
  },
  {
    test: 'can_query_with_or_and_filter',
    query: '{ musicians(where: { or: [{ name: "John", id: "m1" }, { mainBand: "b2" }] }) { name id } }',
    data: () => ({ musicians: [{ name: 'John', id: 'm1' }, { name: 'Tom', id: 'm3' }, { name: 'Paul', id: 'm5' }] }),
  },
  {
    test: 'can_query_with_or_explicit_and_filter',
    query: '{ musicians(where: { or: [{ and: [{ name: "John", id: "m1" }] }, { mainBand: "b2" }] }) { name id } }',
    data: () => ({ musicians: [{ name: 'John', id: 'm1' }, { name: 'Tom', id: 'm3' }, { name: 'Paul', id: 'm5' }] }),
  },
  {
    test: 'can_query_array_contains_nocase',
    query: '{ musicians(where: { bands_contains_nocase: ["B1", "B2"] }) { name bands { id } } }',
    data: () => ({
      musicians: [
        { name: 'John', bands: ids(['b1', 'b2']) },
        { name: 'Lisa', bands: ids(['b1']) },
        { name: 'Tom', bands: ids(['b1', 'b2']) },
        { name: 'Paul', bands: ids(['b2']) },
      ],
    }),
  },
  {
    test: 'can_query_with_or_implicit_and_filter',
    query: '{ musicians(where: { or: [{ name: "John", id: "m1" }, { name: "Lisa", id: "m2" }] }) { name id } }',
    data: () => ({ musicians: [{ name: 'John', id: 'm1' }, { name: 'Lisa', id: 'm2' }] }),
  },
  ...([
    ['id_gt:  @S2@', ['s3', 's4']],
    ['id_gte: @S2@', ['s2', 's3', 's4']],
    ['id_lt:  @S2@', ['s1']],
    ['id_lte: @S2@', ['s1', 's2']],
    ['id_not: @S2@', ['s1', 's3', 's4']],
  ] as const).map(([cond, sids]) => ({
    test: 'can_compare_id',
    part: cond.replace(/ +/, ' '),
    query: `query { songs(where: { ${cond} }) { sid } }`,
    data: () => ({ songs: sids.map((sid) => ({ sid })) }),
  })),
  {
    test: 'empty_type_c',
    query: 'query { single(id: "rl4") { songs { id } } }',
    data: () => ({ single: { songs: [] } }),
  },
  ...[false, true].map((withName) => {
    const b1 = withName ? { id: 'b1', name: 'The Musicians' } : { id: 'b1' };
    const b2 = withName ? { id: 'b2', name: 'The Amateurs' } : { id: 'b2' };
    return {
      test: 'children_are_joined_correctly',
      part: withName ? 'id and name' : 'id',
      query: withName ? 'query { musicians { id mainBand { id name } bands { id name } } }' : 'query { musicians { id mainBand { id } bands { id } } }',
      data: () => ({
        musicians: [
          { id: 'm1', mainBand: b1, bands: [b1, b2] },
          { id: 'm2', mainBand: b1, bands: [b1] },
          { id: 'm3', mainBand: b2, bands: [b1, b2] },
          { id: 'm4', mainBand: null, bands: [] },
          { id: 'm5', mainBand: b2, bands: [b2] },
        ],
      }),
    };
  }),
  // query.rs simple_aggregation: the Plays of block 0 (time 0) are rolled up at block 2 (time 5400), the first in the next hour.
  {
    test: 'simple_aggregation',
    part: 'songPlays',
    query: 'query { songPlays_collection(interval: hour) { id timestamp song { id } played } }',
    data: (s) => ({
      songPlays_collection: [
        { id: '5', timestamp: '0', song: { id: s[1] }, played: 4 },
        { id: '3', timestamp: '0', song: { id: s[2] }, played: 1 },
      ],
    }),
  },
  {
    test: 'simple_aggregation',
    part: 'userPlays',
    query: 'query { userPlays_collection(interval: hour) { id timestamp user { id } played } }',
    data: () => ({
      userPlays_collection: [
        { id: '5', timestamp: '0', user: { id: 'u1' }, played: 4 },
        { id: '2', timestamp: '0', user: { id: 'u2' }, played: 1 },
      ],
    }),
  },
  {
    test: 'simple_aggregation',
    part: 'timestamp_gt',
    query: 'query { userPlays_collection(interval: hour, where: { timestamp_gt: "1000000" }) { id } }',
    data: () => ({ userPlays_collection: [] }),
  },
];
