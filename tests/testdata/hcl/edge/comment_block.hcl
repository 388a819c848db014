/* leading */
a = /* inline */ 1
/*
 multi
 line
*/
b = 2
