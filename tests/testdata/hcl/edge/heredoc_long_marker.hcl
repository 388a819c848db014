a = <<END_OF_TEXT
some text
END_OF_TEXT
