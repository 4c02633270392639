"""Translation: segment → protect markup → engine → restore → check, with glossary and memory."""
