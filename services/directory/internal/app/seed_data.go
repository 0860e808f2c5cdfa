package app

// DefaultOrganisations are the organisations the source article names (a local news article
// about Saône-et-Loire, see shared/seed), with the kind it implies. The article gives names only:
// the communes are where such bodies usually sit, so those records are marked illustrative. The
// three police and gendarmerie units host the ISCG posts; the article does not name them.
var DefaultOrganisations = []SeedOrganisation{
	{ID: "caf-71", DisplayName: "Caf de Saône-et-Loire", Kind: "CAF", Commune: "71270", Illustrative: true},
	{ID: "prefecture-71", DisplayName: "Préfecture de Saône-et-Loire", Kind: "PREFECTURE", Commune: "71270"},
	{ID: "departement-71", DisplayName: "Département de Saône-et-Loire", Kind: "DEPARTEMENT", Commune: "71270"},
	{ID: "ddfe-71", DisplayName: "Délégation départementale aux droits des femmes et à l'égalité", Kind: "STATE_SERVICE", Commune: "71270", Illustrative: true},
	{ID: "iscg-charolais-brionnais", DisplayName: "ISCG du Charolais-Brionnais", Kind: "ISCG", Commune: "71106", Illustrative: true},
	{ID: "iscg-creusot-autun", DisplayName: "ISCG du Creusot-Autun", Kind: "ISCG", Commune: "71153", Illustrative: true},
	{ID: "iscg-louhannais", DisplayName: "ISCG du Louhannais", Kind: "ISCG", Commune: "71263", Illustrative: true},
	{ID: "gendarmerie-charolles", DisplayName: "Compagnie de gendarmerie de Charolles", Kind: "GENDARMERIE", Commune: "71106", Illustrative: true},
	{ID: "police-le-creusot", DisplayName: "Commissariat de police du Creusot", Kind: "POLICE", Commune: "71153", Illustrative: true},
	{ID: "gendarmerie-louhans", DisplayName: "Compagnie de gendarmerie de Louhans", Kind: "GENDARMERIE", Commune: "71263", Illustrative: true},
	{ID: "plie-clunisois-maconnais-tournugeois", DisplayName: "PLIE Clunisois-Mâconnais-Tournugeois", Kind: "PLIE", Commune: "71270", Illustrative: true},
	{ID: "regie-quartier-ouest-chalonnais", DisplayName: "Régie de quartier de l'Ouest Chalonnais", Kind: "REGIE", Commune: "71076", Illustrative: true},
	{ID: "regies-quartiers-bassin-minier", DisplayName: "Régies des quartiers du Bassin Minier", Kind: "REGIE", Commune: "71306", Illustrative: true},
	{ID: "france-horizon-damie-71", DisplayName: "France Horizon Damie 71", Kind: "ASSOCIATION", Illustrative: true},
	{ID: "regie-territoire-cucm-nord-creusot", DisplayName: "Régie de Territoire CUCM Nord du Creusot", Kind: "REGIE", Commune: "71153", Illustrative: true},
	{ID: "garage-solidaire-bourgogne", DisplayName: "Garage solidaire de Bourgogne", Kind: "GARAGE_SOLIDAIRE", Illustrative: true},
	{ID: "mission-mobilite-louhans", DisplayName: "Mission mobilité de Louhans", Kind: "MISSION_LOCALE", Commune: "71263", Illustrative: true},
	{ID: "mission-locale-charolais", DisplayName: "Mission locale du Charolais", Kind: "MISSION_LOCALE", Commune: "71106", Illustrative: true},
	{ID: "mission-locale-gueugnon", DisplayName: "Mission locale de Gueugnon", Kind: "MISSION_LOCALE", Commune: "71230", Illustrative: true},
	{ID: "centre-culturel-social-cuiseaux", DisplayName: "Centre culturel et social de Cuiseaux", Kind: "CENTRE_SOCIAL", Commune: "71157", Illustrative: true},
	{ID: "foyer-rural-autunois-morvan", DisplayName: "Foyer rural de l'Autunois-Morvan", Kind: "FOYER_RURAL", Commune: "71014", Illustrative: true},
}
