#include <stdio.h>
#include <libmount.h>
