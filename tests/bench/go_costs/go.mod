module costbench

go 1.19
