job 1 {}
