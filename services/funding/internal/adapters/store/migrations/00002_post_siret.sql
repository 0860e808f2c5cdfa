-- +goose Up
-- The SIRET of the body that employs a post's social worker and receives the funds ('' when not
-- given): the SCDL export's idBeneficiaire.
ALTER TABLE posts ADD COLUMN siret TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE posts DROP COLUMN siret;
