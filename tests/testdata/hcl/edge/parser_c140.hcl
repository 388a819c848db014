a = 1
  b = "	"	# tab
