a = "日本語"
b = "👩‍👩‍👧"
c = "tab	inside"
