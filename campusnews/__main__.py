from campusnews.cli import main

main()
