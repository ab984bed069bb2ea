"""The writers' room: language-model backends, `write` (idea → script), `revise` (notes → diffs),
`doctor` (a script supervisor's flags) and the critic of takes."""
