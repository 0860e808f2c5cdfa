// Package refdata is the geographic referential of the directory service: the
// communes of Saône-et-Loire (département 71), the EPCIs (intercommunal
// bodies, identified by their SIREN) they belong to, and the 13 local VIF
// networks of the département, each covering a set of whole EPCIs.
//
// The data is embedded in the binary from two files:
//
//   - dept71.json is GENERATED, do not edit it by hand. It comes from the npm
//     package @etalab/decoupage-administratif (pinned version, recorded in
//     its "source" field): the current communes (type "commune-actuelle") of
//     département 71, with their INSEE code, name, postal codes, population
//     and EPCI, and the EPCIs that contain at least one of them, with their
//     number of communes and population restricted to the département. EPCI
//     membership comes from the package's epci.json. To regenerate it, run
//     from the repository root:
//
//     scripts/refdata.sh
//
//     which downloads the package with npm pack and runs tools/refdata. The
//     output is deterministic: rerunning the script on the same version gives
//     a byte-identical file.
//
//   - networks.json is hand-written editorial data: the partition of the
//     département's EPCIs into the 13 local VIF networks. The source article
//     gives only the number of networks, so their names and the grouping are
//     illustrative, and every network is marked "illustrative". When the
//     EPCIs change (after regenerating dept71.json), networks.json must be
//     updated so that every EPCI is assigned to exactly one network.
//
// Load parses both files and validates them (13 networks, unique ids, each
// EPCI in exactly one network, every commune's EPCI known, consistent
// counts), so that every commune of the département belongs to exactly one
// network.
package refdata
