a "x%{if y}" {}
