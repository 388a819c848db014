job "${x}" {}
