"""What a director looks at to judge a cut or a set of takes: the frame strip and preview GIF of a
rendered cut, the contact sheet of every shot's takes, the storyboard PDF."""
