package gateway

// financePages are the finance officer's pages of the console (web/src/lib/router.svelte.ts):
// the desk, a post with its plans, and a plan with its agreement and contributions. Kept apart
// from consolePages so that each role's pages are added without touching another's line.
var financePages = []string{"/financement", "/financement/postes/{post}", "/financement/postes/{post}/{year}"}

func init() { consolePages = append(consolePages, financePages...) }
