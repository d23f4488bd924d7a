"""The GraphQL schema. One module per entity (sources, people, negotiations, claims, discrepancies:
type, filter input, order) declares an `entity.Entity`; `registry` lists them and `schema` makes the
root fields from that list. Below them: enums (schema/'s enums made GraphQL enums), type_registry
(wrapping and lazily naming other modules' types), ordering, relay, common, context, indexes."""
