"""Les commandes des sessions nox, à côté de la machinerie du livre (``tp2_book``).

Ce ne sont pas des extensions Sphinx : la construction du livre ne les charge pas, et,
comme ``tp2_book``, elles ne sont jamais livrées aux étudiants. Le ``noxfile`` les lance
avec ``book/_ext`` dans ``PYTHONPATH`` :

- ``lab`` : les notebooks des deux éditions pour ``nox -s lab``, sans écraser le travail
  de l'étudiant ;
- ``tensorboard_capture`` : la capture de TensorBoard du chapitre 3
  (``nox -s tensorboard_capture``).
"""
