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
  data?: (s: string[]) => unknown;
  /** graph-node's whole answer, where it has errors. */
  result?: (s: string[]) => unknown;
}

const BIRTH = '1710837304040956';
const musicians = ['John', 'Lisa', 'Tom', 'Valerie', 'Paul'];
const names = (list: string[]) => list.map((name) => ({ name }));

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
];
